package com.agentsecretstore.approval;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** A restarted agent asking again for the same thing gets its open request back; no one is paged twice. */
@QuarkusTest
class DuplicateRequestTest {

    private static Response ask(String key, String scope, String runId) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("scope", scope, "ttl_seconds", 300,
                "description", "rotate the key"));
        if (runId != null) {
            body.put("run_id", runId);
        }
        return Api.as(key).body(body).post("/v1/tokens");
    }

    private static long requestedEvents(String id) {
        return Db.count("select count(*) from event where approval_request_id = ? and type = 'approval.requested'", id);
    }

    @Test
    void theSameAskWhilePendingReturnsTheSameRequestWithoutANewEvent() {
        String ns = Flow.namespaceWithTiers("dup-pending", 0);
        Api.Created agent = Api.principal("agent", ns);
        String scope = "secrets:read:" + ns + "/sens/*";
        String id = ask(agent.key(), scope, "run-1").then().statusCode(202).extract().path("approval_request_id");
        ask(agent.key(), scope, "run-1").then().statusCode(200).body("approval_request_id", equalTo(id))
                .body("status", equalTo("pending")).body("run_id", equalTo("run-1"));
        assertEquals(1, requestedEvents(id));
        assertEquals(1, Db.count("select count(*) from approval_request where requester_id = ?", agent.id()));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.request_repeat' and target_id = ?", id));
    }

    @Test
    void theSameAskWhileDelayedReturnsTheDelayedRequest() {
        String ns = Flow.namespaceWithTiers("dup-delayed", 300);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        String scope = "secrets:read:" + ns + "/crit/*";
        String id = ask(agent.key(), scope, null).then().statusCode(202).extract().path("approval_request_id");
        Flow.approve(a1.key(), id).then().statusCode(200);
        Flow.approve(a2.key(), id).then().statusCode(200).body("status", equalTo("delayed"));
        long events = Db.count("select count(*) from event where approval_request_id = ?", id);
        ask(agent.key(), scope, null).then().statusCode(200).body("approval_request_id", equalTo(id))
                .body("status", equalTo("delayed"));
        assertEquals(events, Db.count("select count(*) from event where approval_request_id = ?", id));
    }

    @Test
    void anotherRunIdDescriptionOrAskerOpensANewRequest() {
        String ns = Flow.namespaceWithTiers("dup-other", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        String scope = "secrets:read:" + ns + "/sens/*";
        String id = ask(agent.key(), scope, "run-1").then().statusCode(202).extract().path("approval_request_id");
        ask(agent.key(), scope, "run-2").then().statusCode(202);
        Api.as(agent.key()).body(Map.of("scope", scope, "ttl_seconds", 300, "description", "something else", "run_id", "run-1"))
                .post("/v1/tokens").then().statusCode(202);
        ask(other.key(), scope, "run-1").then().statusCode(202);
        assertEquals(1, requestedEvents(id));
    }

    @Test
    void afterTheRequestIsDecidedTheSameAskOpensANewOne() {
        String ns = Flow.namespaceWithTiers("dup-decided", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String scope = "secrets:read:" + ns + "/sens/*";
        String first = ask(agent.key(), scope, "r").then().statusCode(202).extract().path("approval_request_id");
        Flow.deny(approver.key(), first, "no").then().statusCode(200);
        String second = ask(agent.key(), scope, "r").then().statusCode(202).extract().path("approval_request_id");
        assertEquals(false, first.equals(second));
    }

    @Test
    void parallelDuplicateAsksOpenExactlyOneRequest() throws Exception {
        String ns = Flow.namespaceWithTiers("dup-race", 0);
        Api.Created agent = Api.principal("agent", ns);
        String scope = "secrets:read:" + ns + "/sens/*";
        int n = 12;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return ask(agent.key(), scope, "restart");
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (Future<Response> f : calls) {
                Response r = f.get();
                statuses.add(r.statusCode());
                ids.add(r.path("approval_request_id"));
            }
            assertEquals(1, statuses.stream().filter(s -> s == 202).count(), "one opens: " + statuses);
            assertEquals(n - 1, statuses.stream().filter(s -> s == 200).count(), "the others find it: " + statuses);
            assertEquals(1, ids.size(), "one request: " + ids);
            assertEquals(1, Db.count("select count(*) from approval_request where requester_id = ?", agent.id()));
            assertEquals(1, requestedEvents(ids.iterator().next()));
        } finally {
            pool.shutdownNow();
        }
    }
}
