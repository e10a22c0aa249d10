package com.agentsecretstore.policy;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.containsString;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PolicyApiTest {

    @Test
    void theReferencePolicyBodyIsStoredAndReturned() {
        String ns = Api.unique("pol");
        Api.admin().body("""
                {
                  "default_tier": "standard",
                  "path_overrides": [
                    {"pattern": "%1$s/stripe/*", "tier": "critical", "required_approvals": 2, "approval_delay_seconds": 300},
                    {"pattern": "%1$s/openai/*", "tier": "sensitive", "required_approvals": 1}
                  ]
                }""".formatted(ns)).put("/v1/namespaces/" + ns + "/policy").then().statusCode(200)
                .body("revision", equalTo(1));
        Api.admin().get("/v1/namespaces/" + ns + "/policy").then().statusCode(200)
                .body("default_tier", equalTo("standard"))
                .body("path_overrides[0].pattern", equalTo(ns + "/stripe/*"))
                .body("path_overrides[0].tier", equalTo("critical"))
                .body("path_overrides[0].approval_delay_seconds", equalTo(300))
                .body("path_overrides[1].required_approvals", equalTo(1))
                .body("request_ttl_seconds", equalTo(1800));
        assertAudited(ns);
    }

    @Test
    void invalidPoliciesAreRejectedNamingEveryFieldAndChangeNothing() {
        String ns = Api.unique("pol-bad");
        long before = Db.count("select count(*) from namespace_policy");
        Api.admin().body(Map.of("default_tier", "secret", "path_overrides", List.of(
                Map.of("pattern", "other/x/*", "tier", "sensitive"),
                Map.of("pattern", ns + "/a/*", "tier", "sensitive", "required_approvals", 0),
                Map.of("pattern", ns + "/b/*", "tier", "critical", "required_approvals", 1, "approval_delay_seconds", -1))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(422)
                .body("errors.field", hasItems("default_tier", "path_overrides[0].pattern",
                        "path_overrides[1].required_approvals", "path_overrides[2].required_approvals",
                        "path_overrides[2].approval_delay_seconds"));
        org.junit.jupiter.api.Assertions.assertEquals(before, Db.count("select count(*) from namespace_policy"));
    }

    @Test
    void simulateExplainsTheDecision() {
        String ns = Api.unique("pol-sim");
        Api.admin().body(Map.of("default_tier", "standard", "path_overrides", List.of(
                Map.of("pattern", ns + "/stripe/*", "tier", "critical"))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        Api.putSecret(ns + "/stripe/api-key", Api.sensitiveValue("sim"), null);
        Api.Created agent = Api.principal("agent", ns);
        Api.admin().body(Map.of("principal_id", agent.id(), "scope", "secrets:read:" + ns + "/stripe/*"))
                .post("/v1/namespaces/" + ns + "/policy/simulate").then().statusCode(200)
                .body("tier", equalTo("critical")).body("required_approvals", equalTo(2))
                .body("approval_delay_seconds", equalTo(300)).body("auto_approved", equalTo(false))
                .body("secret_paths", hasItem(ns + "/stripe/api-key"))
                .body("explanation", containsString(ns + "/stripe/*"));
        Api.admin().body(Map.of("principal_id", agent.id(), "scope", "secrets:read:" + ns + "/docs/*"))
                .post("/v1/namespaces/" + ns + "/policy/simulate").then().statusCode(200)
                .body("tier", equalTo("standard")).body("auto_approved", equalTo(true));
    }

    @Test
    void approversReadTheirNamespacesPolicyAndAgentsReadNone() {
        String ns = Api.unique("pol-read");
        Api.Created approver = Api.principal("approver", ns);
        Api.Created stranger = Api.principal("approver", Api.unique("elsewhere"));
        Api.Created agent = Api.principal("agent", ns);
        Api.as(approver.key()).get("/v1/namespaces/" + ns + "/policy").then().statusCode(200)
                .body("default_tier", equalTo("standard")).body("revision", equalTo(0));
        Api.as(approver.key()).body(Map.of("default_tier", "critical")).put("/v1/namespaces/" + ns + "/policy")
                .then().statusCode(403);
        Api.as(stranger.key()).get("/v1/namespaces/" + ns + "/policy").then().statusCode(403);
        Api.as(agent.key()).get("/v1/namespaces/" + ns + "/policy").then().statusCode(403);
    }

    @Test
    void approversMayNameOnlyEnabledApproversAndAdminsById() {
        String ns = Api.unique("pol-approvers");
        Api.Created approver = Api.principal("approver", "elsewhere");
        Api.Created admin = Api.principal("admin");
        Api.Created agent = Api.principal("agent", ns);
        Api.Created disabled = Api.principal("approver", ns);
        Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + disabled.id()).then().statusCode(200);
        long before = Db.count("select count(*) from namespace_policy");
        Api.admin().body(Map.of("default_tier", "sensitive", "approvers",
                List.of(approver.id(), approver.name(), "prn_nobody", agent.id(), disabled.id(), admin.id())))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("approvers[1]", "approvers[2]", "approvers[3]", "approvers[4]")));
        org.junit.jupiter.api.Assertions.assertEquals(before, Db.count("select count(*) from namespace_policy"));
        Api.admin().body(Map.of("default_tier", "sensitive", "approvers", List.of(approver.id(), admin.id())))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200)
                .body("approvers", equalTo(List.of(approver.id(), admin.id())));
    }

    @Test
    void anApproverThePolicyNamesReadsItFromAnotherNamespace() {
        String ns = Api.unique("pol-named");
        Api.Created named = Api.principal("approver", "elsewhere");
        Api.Created stranger = Api.principal("approver", "elsewhere");
        Api.admin().body(Map.of("default_tier", "sensitive", "approvers", List.of(named.id())))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        Api.as(named.key()).get("/v1/namespaces/" + ns + "/policy").then().statusCode(200)
                .body("approvers", equalTo(List.of(named.id())));
        Api.as(stranger.key()).get("/v1/namespaces/" + ns + "/policy").then().statusCode(403);
    }

    /** Issue 11.17: a principal's trust tier is the admins' business only. */
    @Test
    void simulateShowsTrustTiersToAdminsOnly() {
        String ns = Api.unique("pol-trust");
        Api.admin().body(Map.of("default_tier", "sensitive")).put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        Api.admin().body(Map.of("enabled", true)).put("/v1/settings/integrations/moltbotden").then().statusCode(200);
        try {
            Api.Created agent = Api.principal("agent", ns);
            Api.admin().body(Map.of("trust_tier", "verified")).patch("/v1/principals/" + agent.id()).then().statusCode(200);
            Api.Created approver = Api.principal("approver", ns);
            Map<String, String> body = Map.of("principal_id", agent.id(), "scope", "secrets:read:" + ns + "/x/*");
            Api.admin().body(body).post("/v1/namespaces/" + ns + "/policy/simulate").then().statusCode(200)
                    .body("trust_tier", equalTo("verified")).body("auto_approved", equalTo(true));
            String answer = Api.as(approver.key()).body(body).post("/v1/namespaces/" + ns + "/policy/simulate")
                    .then().statusCode(200).body("tier", equalTo("sensitive")).body("auto_approved", equalTo(false))
                    .extract().asString();
            org.junit.jupiter.api.Assertions.assertFalse(answer.contains("trust_tier"), answer);
            org.junit.jupiter.api.Assertions.assertFalse(answer.contains("trust_adjusted"), answer);
            org.junit.jupiter.api.Assertions.assertFalse(answer.contains("verified"), answer);
        } finally {
            Api.admin().body(Map.of("enabled", false)).put("/v1/settings/integrations/moltbotden").then().statusCode(200);
        }
    }

    private static void assertAudited(String ns) {
        org.junit.jupiter.api.Assertions.assertEquals(1,
                Db.count("select count(*) from audit_entry where action = 'policy.update' and namespace = ?", ns));
    }
}
