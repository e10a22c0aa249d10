package com.agentsecretstore.approval;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.TestClock;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;

/** POST /v1/tokens with an Idempotency-Key: a retry gets the first answer, never a second token. */
@QuarkusTest
class IdempotencyKeyTest {

    @Inject
    TestClock clock;

    @Inject
    IdempotencyKeys keys;

    private static Response post(String key, String idempotencyKey, Map<String, Object> body) {
        return Api.as(key).header("Idempotency-Key", idempotencyKey).body(body).post("/v1/tokens");
    }

    private static Map<String, Object> body(String scope) {
        return Map.of("scope", scope, "ttl_seconds", 300, "description", "idempotent");
    }

    @Test
    void aRetryOfAPendingRequestReturnsTheFirstAnswer() {
        String ns = Flow.namespaceWithTiers("idem-pending", 0);
        Api.Created agent = Api.principal("agent", ns);
        Map<String, Object> body = body("secrets:read:" + ns + "/sens/*");
        Response first = post(agent.key(), "key-1", body);
        first.then().statusCode(202);
        post(agent.key(), "key-1", body).then().statusCode(202)
                .body("approval_request_id", equalTo(first.path("approval_request_id")))
                .body("expires_at", equalTo(first.path("expires_at")));
        assertEquals(1, Db.count("select count(*) from approval_request where requester_id = ?", agent.id()));
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefused() {
        String ns = Flow.namespaceWithTiers("idem-other", 0);
        Api.Created agent = Api.principal("agent", ns);
        post(agent.key(), "key-2", body("secrets:read:" + ns + "/sens/*")).then().statusCode(202);
        post(agent.key(), "key-2", body("secrets:read:" + ns + "/std/*")).then().statusCode(422)
                .body("type", equalTo(ProblemType.IDEMPOTENCY_KEY_REUSED.uri()));
        assertEquals(0, Db.count("select count(*) from token where principal_id = ?", agent.id()));
    }

    @Test
    void aReplayOfAnImmediateGrantMintsNoSecondTokenAndKeepsNoValue() {
        String ns = Flow.namespaceWithTiers("idem-grant", 0);
        Api.Created agent = Api.principal("agent", ns);
        Map<String, Object> body = body("secrets:read:" + ns + "/std/*");
        Response first = post(agent.key(), "key-3", body);
        first.then().statusCode(201);
        String value = first.path("value");
        Api.SENSITIVE.add(value);
        post(agent.key(), "key-3", body).then().statusCode(409)
                .body("type", equalTo(ProblemType.IDEMPOTENT_REPLAY_UNAVAILABLE.uri()))
                .body("token_id", equalTo(first.path("token_id"))).body("value", nullValue());
        assertEquals(1, Db.count("select count(*) from token where principal_id = ?", agent.id()));
        assertEquals(0, Db.count("select count(*) from idempotency_key where response like ?", "%" + value + "%"));
        assertEquals(0, Db.count("select count(*) from idempotency_key where response like '%\"value\"%'"));
    }

    @Test
    void keysBelongToOnePrincipal() {
        String ns = Flow.namespaceWithTiers("idem-scope", 0);
        Api.Created a = Api.principal("agent", ns);
        Api.Created b = Api.principal("agent", ns);
        Map<String, Object> body = body("secrets:read:" + ns + "/sens/*");
        String first = post(a.key(), "shared-key", body).then().statusCode(202).extract().path("approval_request_id");
        String second = post(b.key(), "shared-key", body).then().statusCode(202).extract().path("approval_request_id");
        assertEquals(false, first.equals(second));
    }

    @Test
    void aFailedRequestLeavesTheKeyFree() {
        String ns = Flow.namespaceWithTiers("idem-fail", 0);
        Api.Created agent = Api.principal("agent", ns);
        post(agent.key(), "key-4", body("secrets:read:elsewhere-" + ns + "/x")).then().statusCode(403);
        post(agent.key(), "key-4", body("secrets:read:" + ns + "/sens/*")).then().statusCode(202);
    }

    @Test
    void aMalformedKeyIsRefused() {
        String ns = Flow.namespaceWithTiers("idem-bad", 0);
        Api.Created agent = Api.principal("agent", ns);
        post(agent.key(), "x".repeat(256), body("secrets:read:" + ns + "/sens/*")).then().statusCode(422);
    }

    @Test
    void keysExpireAfterADayAndArePruned() throws Throwable {
        String ns = Flow.namespaceWithTiers("idem-expire", 0);
        Api.Created agent = Api.principal("agent", ns);
        post(agent.key(), "key-5", body("secrets:read:" + ns + "/sens/*")).then().statusCode(202);
        clock.advance(Duration.ofHours(25));
        try {
            // Past its 24 h the key is free again, even before the pruning job ran.
            post(agent.key(), "key-5", body("secrets:read:" + ns + "/sens/other")).then().statusCode(202);
            clock.advance(Duration.ofHours(25));
            VertxContextSupport.subscribeAndAwait(() -> keys.prune());
        } finally {
            clock.reset();
        }
        assertEquals(0, Db.count("select count(*) from idempotency_key where principal_id = ?", agent.id()));
    }
}
