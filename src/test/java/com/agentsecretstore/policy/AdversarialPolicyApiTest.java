package com.agentsecretstore.policy;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Issue 11.8 over HTTP: the reported pattern is refused at write; stored anyway, it cannot hold a request. */
@QuarkusTest
class AdversarialPolicyApiTest {

    private static String adversarial(String ns, int variant) {
        return ns + "/" + "**/".repeat(300) + "*?x" + String.format("%03d", variant) + "*";
    }

    @Test
    void theReportedPatternIsRefusedAtWriteAndNothingIsStored() {
        String ns = Api.unique("adv-write");
        Api.admin().body(Map.of("default_tier", "standard", "path_overrides",
                List.of(Map.of("pattern", adversarial(ns, 0), "tier", "critical"))))
                .put("/v1/namespaces/" + ns + "/policy")
                .then().statusCode(422)
                .body("errors.field", hasItem("path_overrides[0].pattern"))
                .body("errors.message", hasItem(containsString("'**'")));
        assertEquals(0, Db.count("select count(*) from namespace_policy where namespace = ?", ns));
    }

    @Test
    void aStoredAdversarialPolicyStillAnswersATokenRequestPromptlyWithTheStrictestTier() {
        String ns = Api.unique("adv-stored");
        Api.admin().body(Map.of("default_tier", "standard", "path_overrides",
                List.of(Map.of("pattern", ns + "/x/*", "tier", "critical"))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        List<String> overrides = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            overrides.add("{\"pattern\":\"" + adversarial(ns, i) + "\",\"tier\":\"critical\",\"required_approvals\":2,"
                    + "\"approval_delay_seconds\":0}");
        }
        // Bypasses the write limits, as a policy stored before them would.
        Db.update("update namespace_policy set document = ? where namespace = ?",
                "{\"default_tier\":\"standard\",\"path_overrides\":[" + String.join(",", overrides) + "]}", ns);
        Api.Created agent = Api.principal("agent", ns);
        Response r = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> Flow.requestToken(agent.key(), "secrets:read:" + ns + "/**"));
        r.then().statusCode(202).body("tier", equalTo("critical"));
    }
}
