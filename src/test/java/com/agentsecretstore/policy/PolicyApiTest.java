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

    private static void assertAudited(String ns) {
        org.junit.jupiter.api.Assertions.assertEquals(1,
                Db.count("select count(*) from audit_entry where action = 'policy.update' and namespace = ?", ns));
    }
}
