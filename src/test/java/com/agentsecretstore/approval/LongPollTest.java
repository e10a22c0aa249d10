package com.agentsecretstore.approval;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Issue 11.10 and 11.5: long-polls wake on changes instead of polling, are limited, and end with their key. */
@QuarkusTest
class LongPollTest {

    @Inject
    ApprovalSignals signals;

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private CompletableFuture<Response> waitFor(String key, String id, int seconds) {
        return CompletableFuture.supplyAsync(
                () -> Api.as(key).get("/v1/approvals/" + id + "/wait?timeout_seconds=" + seconds), pool);
    }

    @Test
    void aLongPollWakesOnADecisionMadeByAnotherRequestAndReadsTheRequestOnlyThen() {
        String ns = Flow.namespaceWithTiers("lp-wake", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        CompletableFuture<Response> waiting = waitFor(agent.key(), id, 600);
        await().atMost(Duration.ofSeconds(20)).until(() -> signals.waiting(agent.id()) == 1);
        long before = signals.rereads();

        Flow.approve(approver.key(), id).then().statusCode(200);

        // The safety-net poll of the test profile is 30 s; the answer comes from the wake-up.
        await().atMost(Duration.ofSeconds(20)).until(waiting::isDone);
        waiting.join().then().statusCode(200).body("status", equalTo("approved"));
        long rereads = signals.rereads() - before;
        assertTrue(rereads <= 2, "re-read " + rereads + " times, not once a second");
    }

    @Test
    void aLongPollThatNothingWakesDoesNotReadTheRequestEverySecond() {
        String ns = Flow.namespaceWithTiers("lp-idle", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        long before = signals.rereads();
        Api.as(agent.key()).get("/v1/approvals/" + id + "/wait?timeout_seconds=6").then().statusCode(200)
                .body("status", equalTo("pending"));
        long rereads = signals.rereads() - before;
        // Once at the deadline, and at most once more: on a busy machine the NOTIFY of the request's
        // own creation can reach this replica after the wait began, and it rightly wakes the wait.
        // A once-a-second poll would have re-read six times.
        assertTrue(rereads <= 2, "re-read " + rereads + " times in 6 s");
    }

    @Test
    void aPrincipalPastItsLongPollLimitIsRefusedWith429() {
        String ns = Flow.namespaceWithTiers("lp-cap", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        int max = ConfigProvider.getConfig().getValue("ass.approvals.max-waits-per-principal", Integer.class);
        List<CompletableFuture<Response>> waits = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            waits.add(waitFor(agent.key(), id, 600));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> signals.waiting(agent.id()) == max);

        Api.as(agent.key()).get("/v1/approvals/" + id + "/wait?timeout_seconds=1").then().statusCode(429)
                .contentType("application/problem+json").body("status", equalTo(429));
        String theirs = Flow.pending(other.key(), "secrets:read:" + ns + "/sens/*");
        Api.as(other.key()).get("/v1/approvals/" + theirs + "/wait?timeout_seconds=1").then().statusCode(200);

        Flow.approve(approver.key(), id).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> waits.stream().allMatch(CompletableFuture::isDone));
        waits.forEach(w -> w.join().then().statusCode(200).body("status", equalTo("approved")));
        await().atMost(Duration.ofSeconds(20)).until(() -> signals.waiting(agent.id()) == 0);
    }

    @Test
    void revokingTheKeyEndsItsLongPollWith401() {
        String ns = Flow.namespaceWithTiers("lp-revoke", 0);
        Api.Created agent = Api.principal("agent", ns);
        String keyId = Api.admin().get("/v1/principals/" + agent.id()).path("keys[0].id");
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        CompletableFuture<Response> waiting = waitFor(agent.key(), id, 600);
        await().atMost(Duration.ofSeconds(20)).until(() -> signals.waiting(agent.id()) == 1);

        Api.admin().delete("/v1/principals/" + agent.id() + "/keys/" + keyId).then().statusCode(204);

        await().atMost(Duration.ofSeconds(30)).until(waiting::isDone);
        waiting.join().then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void disablingThePrincipalInTheDatabaseElsewhereEndsItsLongPollWith401() {
        String ns = Flow.namespaceWithTiers("lp-disable", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        CompletableFuture<Response> waiting = waitFor(agent.key(), id, 600);
        await().atMost(Duration.ofSeconds(20)).until(() -> signals.waiting(agent.id()) == 1);

        // What another replica's PATCH leaves behind: only the row changed.
        Db.update("update principal set disabled = true where id = ?", agent.id());

        await().atMost(Duration.ofSeconds(30)).until(waiting::isDone);
        waiting.join().then().statusCode(401);
        Api.admin().body(Map.of("disabled", false)).patch("/v1/principals/" + agent.id()).then().statusCode(200);
    }
}
