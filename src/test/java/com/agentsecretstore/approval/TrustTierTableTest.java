package com.agentsecretstore.approval;

import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every cell of the reference's MoltbotDen table: with the integration on, an agent's trust tier
 * changes what a request for each secret tier needs ("0" approvals = auto-approved, 201).
 */
@QuarkusTest
class TrustTierTableTest {

    @AfterEach
    void integrationOff() {
        Api.admin().body(Map.of("enabled", false)).put("/v1/settings/integrations/moltbotden").then().statusCode(200);
    }

    @ParameterizedTest(name = "{0} agent, {1} secret: {2} approval(s), delay {3}s")
    @CsvSource({
            "verified,     std,  0, 0",
            "verified,     sens, 0, 0",
            "verified,     crit, 1, 0",
            "established,  std,  0, 0",
            "established,  sens, 0, 0",
            "established,  crit, 2, 300",
            "active,       std,  0, 0",
            "active,       sens, 1, 0",
            "active,       crit, 2, 300",
            "new,          std,  0, 0",
            "new,          sens, 1, 0",
            "new,          crit, 2, 300",
            "unregistered, std,  0, 0",
            "unregistered, sens, 1, 0",
            "unregistered, crit, 2, 300" })
    void trustTierChangesTheRequirementExactlyAsTheReferenceTableShows(String trust, String tree, int approvals, int delay) {
        Api.admin().body(Map.of("enabled", true)).put("/v1/settings/integrations/moltbotden").then().statusCode(200);
        String ns = Flow.namespaceWithTiers("trust", 300);
        String name = Api.unique("trusted");
        Response created = Api.admin().body(Map.of("name", name, "role", "agent", "namespaces", new String[] { ns },
                "trust_tier", trust)).post("/v1/principals");
        created.then().statusCode(201);
        String key = created.path("api_key");
        Api.SENSITIVE.add(key);

        Response r = Flow.requestToken(key, "secrets:read:" + ns + "/" + tree + "/*");
        if (approvals == 0) {
            r.then().statusCode(201).body("status", equalTo("approved"));
            Api.SENSITIVE.add(r.path("value"));
            return;
        }
        r.then().statusCode(202).body("status", equalTo("pending")).body("required_approvals", equalTo(approvals));
        Api.admin().get("/v1/approvals/" + r.path("approval_request_id")).then().statusCode(200)
                .body("required_approvals", equalTo(approvals)).body("approval_delay_seconds", equalTo(delay))
                .body("trust_tier", equalTo(trust));
    }
}
