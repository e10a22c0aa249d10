package com.agentsecretstore.approval;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.SoftPasskey;
import com.agentsecretstore.support.TestClock;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;

/** Approvers approve exactly what they choose: narrowing in the approve call, never widening. */
@QuarkusTest
class ApprovalBudgetTest {

    @Inject
    TestClock clock;

    @Inject
    ApprovalJobs jobs;

    private static Response ask(String key, String scope, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("scope", scope, "ttl_seconds", 3600, "description", "budget"));
        body.putAll(extra);
        return Api.as(key).body(body).post("/v1/tokens");
    }

    /** Approves with {@code body}, and the passkey step-up a critical request needs (a fresh one per call). */
    private static Response approve(String key, String id, Map<String, Object> body) {
        Boolean stepUp = Api.as(key).get("/v1/approvals/" + id).path("step_up_required");
        Map<String, Object> withStepUp = new java.util.HashMap<>(body);
        if (Boolean.TRUE.equals(stepUp)) {
            withStepUp.put("step_up", SoftPasskey.tryStepUp(key, id));
        }
        return Api.as(key).body(withStepUp).post("/v1/approvals/" + id + "/approve");
    }

    @Test
    void anApproverNarrowsTheBudgetAndTheTokenIsIssuedWithIt() {
        String ns = Flow.namespaceWithTiers("bud-narrow", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = ask(agent.key(), "secrets:read:" + ns + "/sens/*", Map.of("max_uses", 10, "run_id", "task-42"))
                .then().statusCode(202).body("max_uses", equalTo(10)).body("run_id", equalTo("task-42"))
                .extract().path("approval_request_id");

        approve(approver.key(), id, Map.of("comment", "just the key, once", "ttl_seconds", 600, "max_uses", 1,
                "scope", "secrets:read:" + ns + "/sens/key")).then().statusCode(200)
                .body("status", equalTo("approved"))
                .body("scope", equalTo("secrets:read:" + ns + "/sens/key")).body("ttl_seconds", equalTo(600))
                .body("max_uses", equalTo(1)).body("requested_scope", equalTo("secrets:read:" + ns + "/sens/*"))
                .body("requested_ttl_seconds", equalTo(3600)).body("requested_max_uses", equalTo(10))
                .body("run_id", equalTo("task-42"))
                .body("approvals[0].narrowed.scope", equalTo("secrets:read:" + ns + "/sens/key"))
                .body("approvals[0].narrowed.ttl_seconds", equalTo(600)).body("approvals[0].narrowed.max_uses", equalTo(1));

        // The requester sees the same, and its token carries the narrowed budget.
        Api.as(agent.key()).get("/v1/approvals/" + id).then().body("max_uses", equalTo(1))
                .body("approvals[0].narrowed.ttl_seconds", equalTo(600));
        Map<String, Object> token = Db.query("select scope, max_uses, issued_at, expires_at from token where request_id = ?", id).get(0);
        assertEquals("secrets:read:" + ns + "/sens/key", token.get("scope"));
        assertEquals(1, token.get("max_uses"));
        assertEquals(600, Duration.between(((java.sql.Timestamp) token.get("issued_at")).toInstant(),
                ((java.sql.Timestamp) token.get("expires_at")).toInstant()).getSeconds());

        // In the audit and in the event payload.
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.approve' and target_id = ? "
                + "and details like '%\"narrowed_ttl_seconds\":600%' and details like '%\"narrowed_max_uses\":1%'", id));
        assertEquals(1, Db.count("select count(*) from event where approval_request_id = ? and type = 'approval.approved' "
                + "and payload like '%\"narrowed_scope\"%' and payload like '%\"requested_scope\"%'", id));

        // The collection answers with the budget too, so the agent knows its one read without asking again.
        Response collected = Api.as(agent.key()).get("/v1/approvals/" + id + "/token");
        Api.SENSITIVE.add(collected.path("value"));
        collected.then().statusCode(200).body("scope", equalTo("secrets:read:" + ns + "/sens/key")).body("max_uses", equalTo(1));
        String value = collected.path("value");
        Flow.read(agent.key(), value, ns + "/sens/key").then().statusCode(200);
    }

    @Test
    void theSecondApproverSeesTheFirstNarrowingAndMayOnlyNarrowFurther() {
        String ns = Flow.namespaceWithTiers("bud-two", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        String id = ask(agent.key(), "secrets:read:" + ns + "/crit/*", Map.of()).then().statusCode(202)
                .extract().path("approval_request_id");

        approve(a1.key(), id, Map.of("ttl_seconds", 900, "max_uses", 5)).then().statusCode(200)
                .body("status", equalTo("pending"));
        Api.as(a2.key()).get("/v1/approvals/" + id).then().body("ttl_seconds", equalTo(900)).body("max_uses", equalTo(5))
                .body("requested_ttl_seconds", equalTo(3600)).body("requested_max_uses", nullValue())
                .body("approvals[0].narrowed.max_uses", equalTo(5));

        approve(a2.key(), id, Map.of("ttl_seconds", 3600)).then().statusCode(422)
                .body("type", equalTo(ProblemType.VALIDATION_FAILED.uri())).body("errors.field", hasItem("ttl_seconds"));
        approve(a2.key(), id, Map.of("max_uses", 6)).then().statusCode(422).body("errors.field", hasItem("max_uses"));
        approve(a2.key(), id, Map.of("scope", "secrets:read:" + ns + "/**")).then().statusCode(422)
                .body("errors.field", hasItem("scope"));
        assertEquals(1, Db.count("select count(*) from approval_decision where request_id = ?", id), "refusals record nothing");
        assertEquals(3, Db.count("select count(*) from audit_entry where action = 'approval.approve' and target_id = ? "
                + "and outcome = 'denied'", id));

        approve(a2.key(), id, Map.of("max_uses", 2)).then().statusCode(200).body("status", equalTo("approved"))
                .body("ttl_seconds", equalTo(900)).body("max_uses", equalTo(2))
                .body("approvals[1].narrowed.max_uses", equalTo(2)).body("approvals[1].narrowed.ttl_seconds", nullValue());
        assertEquals(2, Db.query("select max_uses from token where request_id = ?", id).get(0).get("max_uses"));
    }

    @Test
    void aMalformedNarrowedScopeIsRefusedBeforeAnythingElse() {
        String ns = Flow.namespaceWithTiers("bud-bad", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        approve(approver.key(), id, Map.of("scope", "read everything")).then().statusCode(422)
                .body("errors.field", hasItem("scope"));
        Api.as(agent.key()).get("/v1/approvals/" + id).then().body("status", equalTo("pending"));
    }

    @Test
    void aBadMaxUsesOrRunIdIsRefused() {
        String ns = Flow.namespaceWithTiers("bud-input", 0);
        Api.Created agent = Api.principal("agent", ns);
        ask(agent.key(), "secrets:read:" + ns + "/std/*", Map.of("max_uses", 0, "run_id", "no spaces allowed"))
                .then().statusCode(422).body("errors.field", hasItem("max_uses")).body("errors.field", hasItem("run_id"));
        ask(agent.key(), "secrets:read:" + ns + "/std/*", Map.of("run_id", "x".repeat(129)))
                .then().statusCode(422).body("errors.field", hasItem("run_id"));
        assertEquals(0, Db.count("select count(*) from token where principal_id = ?", agent.id()));
    }

    /**
     * A critical request asked now, approved, then held for its delay: the token's lifetime runs
     * from the moment the job issues it, not from the request.
     */
    @Test
    void theLifetimeOfADelayedTokenCountsFromIssuance() throws Throwable {
        String ns = Flow.namespaceWithTiers("bud-ttl", 120);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        String id = ask(agent.key(), "secrets:read:" + ns + "/crit/*", Map.of("ttl_seconds", 300)).then().statusCode(202)
                .extract().path("approval_request_id");
        Flow.approve(a1.key(), id).then().statusCode(200);
        Flow.approve(a2.key(), id).then().statusCode(200).body("status", equalTo("delayed"));
        clock.advance(Duration.ofSeconds(200));
        try {
            // The scheduled job may take the row first (SKIP LOCKED); either way it is issued once.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                VertxContextSupport.subscribeAndAwait(() -> jobs.issueDue());
                assertEquals(1, Db.count("select count(*) from token where request_id = ?", id));
            });
        } finally {
            clock.reset();
        }
        Map<String, Object> row = Db.query("select extract(epoch from t.issued_at - r.created_at) as waited, "
                + "extract(epoch from t.expires_at - t.issued_at) as lifetime from token t join approval_request r "
                + "on r.id = t.request_id where r.id = ?", id).get(0);
        assertTrue(((Number) row.get("waited")).doubleValue() >= 120, "issued after the delay: " + row);
        assertEquals(300, ((Number) row.get("lifetime")).intValue(), "lifetime from issuance: " + row);
        Api.as(agent.key()).get("/v1/approvals/" + id).then().body("status", equalTo("approved"));
        List<Map<String, Object>> issued = Db.query("select details from audit_entry where action = 'token.issue' and details like ?",
                "%" + id + "%");
        assertEquals(1, issued.size());
    }
}
