package com.agentsecretstore.approval;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.SoftPasskey;

import io.quarkus.test.junit.QuarkusTest;

/** Approvers clicking at once: each request issues exactly one token, each approver counts once. */
@QuarkusTest
class ConcurrentApprovalTest {

    @Test
    void fiftyConcurrentApprovalsOfASensitiveRequestIssueExactlyOneToken() throws Exception {
        String ns = Flow.namespaceWithTiers("race-sens", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");

        List<Integer> statuses = stampede(ns, id, 5, 10);

        assertEquals(1, statuses.stream().filter(s -> s == 200).count(), "exactly one approval is accepted: " + statuses);
        assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 409), "others are conflicts: " + statuses);
        assertEquals(1, Db.count("select count(*) from token where request_id = ?", id));
        assertEquals(1, Db.count("select count(*) from approval_decision where request_id = ? and kind = 'approve'", id));
        Api.as(agent.key()).get("/v1/approvals/" + id).then().body("status", equalTo("approved"))
                .body("received_approvals", equalTo(1));
    }

    @Test
    void fiftyConcurrentApprovalsOfACriticalRequestCountTwoApproversAndIssueOneToken() throws Exception {
        String ns = Flow.namespaceWithTiers("race-crit", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");

        List<Integer> statuses = stampede(ns, id, 5, 10);

        assertEquals(2, statuses.stream().filter(s -> s == 200).count(), "two approvals are accepted: " + statuses);
        assertEquals(1, Db.count("select count(*) from token where request_id = ?", id));
        assertEquals(2, Db.count("select count(*) from approval_decision where request_id = ? and kind = 'approve'", id));
        assertEquals(2, Db.count("select count(distinct principal_id) from approval_decision where request_id = ?", id));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'token.issue' and details like ?",
                "%" + id + "%"));
    }

    /**
     * {@code approvers} approvers each send {@code clicks} approvals, all released at the same moment.
     * When the request needs a step-up, each click carries its own fresh passkey assertion, made before the release.
     */
    private static List<Integer> stampede(String ns, String id, int approvers, int clicks) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < approvers; i++) {
            keys.add(Api.principal("approver", ns).key());
        }
        ExecutorService pool = Executors.newFixedThreadPool(approvers * clicks);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> calls = new ArrayList<>();
        try {
            for (String key : keys) {
                boolean stepUp = Boolean.TRUE.equals(Api.as(key).get("/v1/approvals/" + id).path("step_up_required"));
                for (int c = 0; c < clicks; c++) {
                    Map<String, Object> body = stepUp
                            ? Map.of("comment", "go", "step_up", SoftPasskey.of(key).stepUp(key, id))
                            : Map.of("comment", "go");
                    calls.add(pool.submit(() -> {
                        start.await();
                        return Api.as(key).body(body).post("/v1/approvals/" + id + "/approve").statusCode();
                    }));
                }
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : calls) {
                statuses.add(f.get());
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
