package com.agentsecretstore.approval;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The tiered workflow through the API, as the reference page describes it. */
@QuarkusTest
class ApprovalWorkflowTest {

    @Inject
    TestClock clock;

    @Inject
    ApprovalJobs approvals;

    @Test
    void standardScopeIsIssuedAtOnceAndReadsTheSecret() {
        String ns = Flow.namespaceWithTiers("wf-std", 0);
        Api.Created agent = Api.principal("agent", ns);
        Response r = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*");
        r.then().statusCode(201).body("status", equalTo("approved")).body("value", startsWith("ast_"))
                .body("token_id", startsWith("tok_")).body("tier", equalTo("standard")).body("expires_at", notNullValue());
        String token = r.path("value");
        Flow.read(agent.key(), token, ns + "/std/key").then().statusCode(200)
                .body("value", startsWith("s3cr3t-std")).body("version", equalTo(1));
    }

    @Test
    void sensitiveScopeWaitsForOneApprovalThenTheTokenIsCollected() {
        String ns = Flow.namespaceWithTiers("wf-sens", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        Response r = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/sens/*");
        r.then().statusCode(202).body("status", equalTo("pending")).body("approval_request_id", startsWith("apr_"))
                .body("tier", equalTo("sensitive")).body("required_approvals", equalTo(1));
        String id = r.path("approval_request_id");
        Api.as(agent.key()).get("/v1/approvals/" + id + "/token").then().statusCode(409)
                .body("type", equalTo(ProblemType.NO_TOKEN_TO_COLLECT.uri())).body("approval_status", equalTo("pending"));

        Flow.approve(approver.key(), id).then().statusCode(200).body("status", equalTo("approved"))
                .body("approvals", hasSize(1)).body("approvals[0].approver_id", equalTo(approver.id()))
                .body("approvals[0].comment", equalTo("ok"));
        String token = Flow.collect(agent.key(), id);
        Flow.read(agent.key(), token, ns + "/sens/key").then().statusCode(200).body("tier", equalTo("sensitive"));
    }

    @Test
    void criticalScopeNeedsTwoApprovalsThenTheDelayThenIssues() {
        String ns = Flow.namespaceWithTiers("wf-crit", 2);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
        Flow.approve(a1.key(), id).then().statusCode(200).body("status", equalTo("pending"))
                .body("received_approvals", equalTo(1)).body("required_approvals", equalTo(2));
        Flow.approve(a2.key(), id).then().statusCode(200).body("status", equalTo("delayed"))
                .body("issue_at", notNullValue()).body("token_id", nullValue());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> "approved".equals(Flow.status(agent.key(), id)));
        String token = Flow.collect(agent.key(), id);
        Flow.read(agent.key(), token, ns + "/crit/key").then().statusCode(200).body("tier", equalTo("critical"));
    }

    @Test
    void selfApprovalIsForbidden() {
        String ns = Flow.namespaceWithTiers("wf-self", 0);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(approver.key(), "secrets:read:" + ns + "/sens/*");
        Flow.approve(approver.key(), id).then().statusCode(403);
        assertEquals("pending", Flow.status(approver.key(), id));
    }

    @Test
    void sameApproverTwiceIsAConflictAndCountsOnce() {
        String ns = Flow.namespaceWithTiers("wf-twice", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
        Flow.approve(approver.key(), id).then().statusCode(200);
        Flow.approve(approver.key(), id).then().statusCode(409).body("type", equalTo(ProblemType.ALREADY_APPROVED.uri()));
        Api.as(approver.key()).get("/v1/approvals/" + id).then().body("received_approvals", equalTo(1))
                .body("status", equalTo("pending"));
    }

    @Test
    void approverOfAnotherNamespaceFindsNoSuchRequestAndAnUndesignatedAdminIsForbidden() {
        String ns = Flow.namespaceWithTiers("wf-other", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created outsider = Api.principal("approver", "elsewhere");
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        // A request the caller may not see does not exist for it, whatever the action (issue 11.17).
        Flow.approve(outsider.key(), id).then().statusCode(404);
        Flow.cancel(outsider.key(), id).then().statusCode(404);
        Flow.deny(outsider.key(), id, "no").then().statusCode(404);
        Api.as(outsider.key()).get("/v1/approvals/" + id + "/token").then().statusCode(404);
        Api.Created admin = Api.principal("admin");
        Flow.approve(admin.key(), id).then().statusCode(403);
        Api.as(admin.key()).get("/v1/approvals/" + id).then().statusCode(200)
                .body("allowed_actions", equalTo(java.util.List.of("cancel")));
    }

    @Test
    void anotherAgentsCancelIsNotFoundLikeAnUnknownId() {
        String ns = Flow.namespaceWithTiers("wf-cancel-other", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.cancel(other.key(), id).then().statusCode(404).contentType("application/problem+json");
        Flow.cancel(other.key(), "apr_doesnotexist").then().statusCode(404);
        Api.as(Api.ADMIN_KEY).get("/v1/approvals/" + id).then().body("status", equalTo("pending"));
    }

    /** Issue 10's reproduction: list, get, approve and the policy all agree for a listed approver from elsewhere. */
    @Test
    void aListedApproverFromAnotherNamespaceListsGetsApprovesAndReadsThePolicy() {
        String ns = Api.unique("wf-listed");
        Api.Created listed = Api.principal("approver", "elsewhere");
        Api.Created member = Api.principal("approver", ns);
        Api.admin().body(Map.of("default_tier", "sensitive", "approvers", java.util.List.of(listed.id())))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        Api.putSecret(ns + "/a/key", Api.sensitiveValue("listed"), null);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/a/*");

        Api.as(listed.key()).get("/v1/approvals?namespace=" + ns).then().statusCode(200).body("items.id", hasItem(id));
        Api.as(listed.key()).get("/v1/approvals/" + id).then().statusCode(200)
                .body("allowed_actions", equalTo(java.util.List.of("approve", "deny", "cancel")));
        Api.as(listed.key()).get("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        // The namespace's own approver, not listed: sees it, may cancel, may not decide.
        Api.as(member.key()).get("/v1/approvals?namespace=" + ns).then().statusCode(200).body("items.id", hasItem(id));
        Api.as(member.key()).get("/v1/approvals/" + id).then().statusCode(200)
                .body("allowed_actions", equalTo(java.util.List.of("cancel")));
        Flow.approve(member.key(), id).then().statusCode(403);
        Flow.approve(listed.key(), id).then().statusCode(200).body("status", equalTo("approved"))
                .body("allowed_actions", equalTo(java.util.List.of()));
        Api.as(agent.key()).get("/v1/approvals/" + id).then().body("allowed_actions", equalTo(java.util.List.of("collect")));
    }

    @Test
    void policyApproversListDesignatesExactlyThosePrincipals() {
        String ns = Api.unique("wf-list");
        Api.Created named = Api.principal("approver", "unrelated");
        Api.Created nsApprover = Api.principal("approver", ns);
        Api.admin().body(Map.of("default_tier", "sensitive", "approvers", java.util.List.of(named.id())))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        Api.putSecret(ns + "/a/key", Api.sensitiveValue("list"), null);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/a/*");
        Flow.approve(nsApprover.key(), id).then().statusCode(403);
        Flow.approve(named.key(), id).then().statusCode(200).body("status", equalTo("approved"));
    }

    @Test
    void oneDenialEndsTheRequestAndNeedsAReason() {
        String ns = Flow.namespaceWithTiers("wf-deny", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
        Flow.approve(a1.key(), id).then().statusCode(200);
        Flow.deny(a2.key(), id, null).then().statusCode(422);
        Flow.deny(a2.key(), id, "Unexpected access pattern — investigating").then().statusCode(200)
                .body("status", equalTo("denied")).body("denial.by_id", equalTo(a2.id()))
                .body("denial.reason", equalTo("Unexpected access pattern — investigating"));
        Flow.approve(a2.key(), id).then().statusCode(409);
        Api.as(agent.key()).get("/v1/approvals/" + id + "/token").then().statusCode(409);
    }

    @Test
    void cancelInTheDelayWindowStopsIssuance() throws Throwable {
        String ns = Flow.namespaceWithTiers("wf-cancel", 30);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
        Flow.approve(a1.key(), id);
        Flow.approve(a2.key(), id).then().body("status", equalTo("delayed"));
        Flow.cancel(agent.key(), id).then().statusCode(200).body("status", equalTo("cancelled"))
                .body("cancellation.reason", equalTo("changed my mind"));
        clock.advance(Duration.ofSeconds(60));
        try {
            VertxContextSupport.subscribeAndAwait(() -> approvals.issueDue());
        } finally {
            clock.reset();
        }
        Api.as(agent.key()).get("/v1/approvals/" + id).then().body("status", equalTo("cancelled"))
                .body("token_id", nullValue());
        assertEquals(0, Db.count("select count(*) from token where request_id = ?", id));
    }

    @Test
    void decidingAFinishedRequestIsAConflict() {
        String ns = Flow.namespaceWithTiers("wf-final", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);

        String approved = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.approve(a1.key(), approved).then().statusCode(200);
        Flow.approve(a2.key(), approved).then().statusCode(409);

        String cancelled = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.cancel(agent.key(), cancelled).then().statusCode(200);
        Flow.approve(a1.key(), cancelled).then().statusCode(409);

        String denied = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.deny(a1.key(), denied, "no").then().statusCode(200);
        Flow.approve(a2.key(), denied).then().statusCode(409);
        Flow.cancel(agent.key(), denied).then().statusCode(409);
    }

    @Test
    void aRequestNotApprovedInTimeExpires() throws Throwable {
        String ns = Flow.namespaceWithTiers("wf-expire", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        clock.advance(Duration.ofHours(2));
        try {
            Flow.approve(approver.key(), id).then().statusCode(409).body("type", equalTo(ProblemType.APPROVAL_EXPIRED.uri()));
            VertxContextSupport.subscribeAndAwait(() -> approvals.expireStale());
        } finally {
            clock.reset();
        }
        // The scheduled job may have claimed the row first (SKIP LOCKED); then it commits the expiry.
        await().atMost(Duration.ofSeconds(60)).until(() -> "expired".equals(Flow.status(agent.key(), id)));
        Api.as(agent.key()).get("/v1/approvals/" + id).then().body("status", equalTo("expired"));
        Flow.approve(approver.key(), id).then().statusCode(409).body("type", equalTo(ProblemType.APPROVAL_CLOSED.uri()))
                .body("approval_status", equalTo("expired"));
    }

    @Test
    void waitReturnsAsSoonAsTheRequestIsDecided() {
        String ns = Flow.namespaceWithTiers("wf-wait", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Api.as(agent.key()).get("/v1/approvals/" + id + "/wait?timeout_seconds=120"));
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        long start = System.nanoTime();
        Flow.approve(approver.key(), id).then().statusCode(200);
        Response done = waiting.join();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        done.then().statusCode(200).body("status", equalTo("approved")).body("approved", equalTo(true));
        // Well before the 120 s timeout (when the wait would answer anyway), with room for a busy machine.
        assertTrue(tookMillis < 60_000, "wait answered " + tookMillis + " ms after the approval");
    }

    @Test
    void waitAnswersWithTheCurrentStateAtTheTimeout() {
        String ns = Flow.namespaceWithTiers("wf-timeout", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Api.as(agent.key()).get("/v1/approvals/" + id + "/wait?timeout_seconds=1").then().statusCode(200)
                .body("status", equalTo("pending")).body("approved", equalTo(false));
        Api.as(agent.key()).get("/v1/approvals/" + id + "/wait?timeout_seconds=-1").then().statusCode(422);
    }

    @Test
    void strangersDoNotSeeARequest() {
        String ns = Flow.namespaceWithTiers("wf-hidden", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Api.as(other.key()).get("/v1/approvals/" + id).then().statusCode(404);
        Api.as(other.key()).get("/v1/approvals").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(id)));
        Api.as(agent.key()).get("/v1/approvals?status=pending").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.hasItem(id));
    }

    @Test
    void anAgentRequestsTokensOnlyInItsNamespaces() {
        String ns = Flow.namespaceWithTiers("wf-ns", 0);
        Api.Created agent = Api.principal("agent", "somewhere-else");
        Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*").then().statusCode(403);
    }

    @Test
    void badTokenRequestsNameTheField() {
        Api.Created agent = Api.principal("agent", "wf-bad");
        Api.as(agent.key()).body(Map.of("scope", "read:everything", "ttl_seconds", 60)).post("/v1/tokens")
                .then().statusCode(422).body("errors[0].field", equalTo("scope"));
        Api.as(agent.key()).body(Map.of("scope", "secrets:read:*/x", "ttl_seconds", 60)).post("/v1/tokens")
                .then().statusCode(422).body("errors[0].field", equalTo("scope"));
        Api.as(agent.key()).body(Map.of("scope", "secrets:read:wf-bad/x", "ttl_seconds", 999999)).post("/v1/tokens")
                .then().statusCode(422).body("errors[0].field", equalTo("ttl_seconds"));
    }
}
