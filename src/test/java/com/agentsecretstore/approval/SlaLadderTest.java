package com.agentsecretstore.approval;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.GreenMailResource;
import com.agentsecretstore.support.SseClient;
import com.agentsecretstore.support.WebhookReceiver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;
import io.smallrye.mutiny.Uni;

/**
 * Issue 16.3, the SLA ladder, against the running service: reminders and escalations are events on
 * the live feed, on webhooks (a real local receiver) and in mail, each exactly once even when the
 * job runs on several threads at once (as on several replicas), and an escalation approver may see
 * and decide a request only once it has escalated.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class SlaLadderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EVENTUALLY = Duration.ofSeconds(90);

    @Inject
    ApprovalJobs jobs;

    static String feed() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return "http://127.0.0.1:" + port + "/v1/events/stream";
    }

    /** A namespace with a sensitive sub-tree; {@code top} and {@code sens} are the policy's and the override's SLA fields. */
    private static String namespace(Map<String, Object> top, Map<String, Object> sens) {
        String ns = Api.unique("sla");
        Map<String, Object> override = new HashMap<>(Map.of("pattern", ns + "/sens/*", "tier", "sensitive", "required_approvals", 1));
        override.putAll(sens);
        Map<String, Object> policy = new HashMap<>(Map.of("default_tier", "standard", "request_ttl_seconds", 3600,
                "path_overrides", List.of(override)));
        policy.putAll(top);
        Api.admin().body(policy).put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        Api.putSecret(ns + "/sens/key", Api.sensitiveValue("sla"), null).then().statusCode(201);
        return ns;
    }

    private static Api.Created principal(String role, String email, String... namespaces) {
        String name = Api.unique(role);
        Response r = Api.admin().body(Map.of("name", name, "role", role, "namespaces", namespaces, "email", email))
                .post("/v1/principals");
        r.then().statusCode(201);
        String key = r.path("api_key");
        Api.SENSITIVE.add(key);
        return new Api.Created(r.path("id"), name, key);
    }

    private static WebhookReceiver webhook(String ownerKey, List<String> events) throws Exception {
        WebhookReceiver receiver = new WebhookReceiver().up();
        Api.as(ownerKey).body(Map.of("url", receiver.url(), "events", events)).post("/v1/webhooks").then().statusCode(201);
        return receiver;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event types the receiver accepted for the request, in order of arrival. */
    private static List<String> received(WebhookReceiver r, String id) {
        return r.accepted.stream().map(x -> json(x.body())).filter(j -> id.equals(j.path("approval_request_id").asText()))
                .map(j -> j.path("event").asText()).toList();
    }

    private static List<String> seen(SseClient c, String id) {
        return c.events.stream().filter(e -> id.equals(json(e.data()).path("approval_request_id").asText()))
                .map(SseClient.Event::name).toList();
    }

    private static long events(String type, String id) {
        return Db.count("select count(*) from event where type = ? and approval_request_id = ?", type, id);
    }

    private static List<String> mailedTo(String type, String id) {
        return Db.query("select m.recipient from mail_delivery m join event e on e.seq = m.event_seq "
                + "where e.type = ? and e.approval_request_id = ? order by m.recipient", type, id)
                .stream().map(row -> (String) row.get("recipient")).toList();
    }

    /** Runs the job step on {@code threads} threads released together; returns how many requests each run changed. */
    private static List<Integer> concurrently(int threads, Supplier<Uni<Integer>> step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    try {
                        return VertxContextSupport.subscribeAndAwait(step);
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                }));
            }
            List<Integer> changed = new ArrayList<>();
            for (Future<Integer> f : runs) {
                changed.add(f.get(120, TimeUnit.SECONDS));
            }
            return changed;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aShortReminderThresholdRemindsTheApproversOnceOnEveryChannel() throws Exception {
        String ns = namespace(Map.of("remind_after_seconds", 2), Map.of());
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = principal("approver", Api.unique("approver") + "@example.com", ns);
        try (WebhookReceiver hook = webhook(Api.ADMIN_KEY, List.of("approval.requested", "approval.reminder",
                "approval.approved", "token.issued"));
                SseClient live = new SseClient(feed(), approver.key(), null)) {
            await().atMost(EVENTUALLY).until(live::connected);
            String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            Api.as(approver.key()).get("/v1/approvals/" + id).then().statusCode(200)
                    .body("sla.remind_at", notNullValue()).body("sla.reminded_at", nullValue()).body("sla.escalate_at", nullValue());
            // The scheduled job reminds once the threshold has passed; then two more runs at once find nothing left to do.
            await().atMost(EVENTUALLY).until(() -> events("approval.reminder", id) == 1);
            concurrently(2, jobs::remindDue);
            assertEquals(1, events("approval.reminder", id));
            Api.as(approver.key()).get("/v1/approvals/" + id).then().body("status", equalTo("pending"))
                    .body("sla.reminded_at", notNullValue());
            // Deliveries of one request keep their order, and so does the feed: once the last event has
            // arrived, every earlier one has too.
            Flow.approve(approver.key(), id).then().statusCode(200);
            await().atMost(EVENTUALLY).until(() -> received(hook, id).contains("token.issued")
                    && seen(live, id).contains("token.issued"));
            List<String> expected = List.of("approval.requested", "approval.reminder", "approval.approved", "token.issued");
            assertEquals(expected, received(hook, id));
            assertEquals(expected, seen(live, id));
            // Mail goes to those who decide the request (and the configured extra recipients), like a new request's.
            assertEquals(mailedTo("approval.requested", id), mailedTo("approval.reminder", id));
            String email = (String) Db.query("select email from principal where id = ?", approver.id()).get(0).get("email");
            assertTrue(mailedTo("approval.reminder", id).contains(email), mailedTo("approval.reminder", id).toString());
            assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.remind' and target_id = ?", id));
        }
    }

    @Test
    void runsOnSeveralThreadsAtOnceRemindEachRequestExactlyOnce() throws Exception {
        String ns = namespace(Map.of("remind_after_seconds", 3000), Map.of());
        Api.Created agent = Api.principal("agent", ns);
        Api.principal("approver", ns);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*"));
        }
        // Their reminders fall due now (instead of in 50 minutes), all at once.
        for (String id : ids) {
            Db.update("update approval_request set remind_at = remind_at - interval '3001 seconds' where id = ?", id);
        }
        List<Integer> changed = concurrently(3, jobs::remindDue);
        // The scheduled job may have claimed some first; together, every request was reminded once.
        await().atMost(EVENTUALLY).until(() -> ids.stream().allMatch(id -> events("approval.reminder", id) >= 1));
        for (String id : ids) {
            assertEquals(1, events("approval.reminder", id), id);
        }
        assertTrue(changed.stream().mapToInt(Integer::intValue).sum() <= ids.size(), changed.toString());
    }

    @Test
    void anEscalationApproverSeesAndDecidesOnlyAfterTheEscalationWhichHappensOnce() throws Exception {
        Api.Created lead = principal("approver", Api.unique("lead") + "@example.com", Api.unique("elsewhere"));
        String ns = namespace(Map.of(), Map.of("escalate_after_seconds", 3000, "escalation_approvers", List.of(lead.id())));
        Api.Created agent = Api.principal("agent", ns);
        Api.principal("approver", ns);
        try (WebhookReceiver adminHook = webhook(Api.ADMIN_KEY, List.of("approval.requested", "approval.escalated",
                "approval.approved", "token.issued"));
                WebhookReceiver leadHook = webhook(lead.key(), List.of("approval.requested", "approval.escalated",
                        "approval.approved", "token.issued"));
                SseClient leadFeed = new SseClient(feed(), lead.key(), null);
                SseClient adminFeed = new SseClient(feed(), Api.ADMIN_KEY, null)) {
            await().atMost(EVENTUALLY).until(() -> leadFeed.connected() && adminFeed.connected());
            String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");

            // Before the escalation the lead is an outsider: the request does not exist for it.
            Api.as(lead.key()).get("/v1/approvals/" + id).then().statusCode(404);
            Api.as(lead.key()).get("/v1/approvals?namespace=" + ns).then().statusCode(200).body("items.id", not(hasItem(id)));
            Flow.approve(lead.key(), id).then().statusCode(404);
            assertEquals("pending", Flow.status(agent.key(), id));
            Api.as(lead.key()).get("/v1/audit?limit=500").then().statusCode(200).body("items.target_id", not(hasItem(id)));

            Db.update("update approval_request set escalate_at = escalate_at - interval '3001 seconds' where id = ?", id);
            concurrently(2, jobs::escalateDue);
            await().atMost(EVENTUALLY).until(() -> events("approval.escalated", id) == 1);
            concurrently(2, jobs::escalateDue);
            assertEquals(1, events("approval.escalated", id));

            Api.as(lead.key()).get("/v1/approvals/" + id).then().statusCode(200)
                    .body("allowed_actions", hasItems("approve", "deny", "cancel"))
                    .body("sla.escalated_at", notNullValue()).body("sla.escalation_approvers", equalTo(List.of(lead.id())));
            Api.as(lead.key()).get("/v1/approvals?namespace=" + ns).then().statusCode(200).body("items.id", hasItem(id));
            Api.as(lead.key()).get("/v1/audit?limit=500").then().statusCode(200).body("items.target_id", hasItem(id));
            Flow.approve(lead.key(), id).then().statusCode(200).body("status", equalTo("approved"))
                    .body("approvals[0].approver_id", equalTo(lead.id()));

            await().atMost(EVENTUALLY).until(() -> received(adminHook, id).contains("token.issued")
                    && received(leadHook, id).contains("token.issued") && seen(leadFeed, id).contains("token.issued")
                    && seen(adminFeed, id).contains("token.issued"));
            List<String> all = List.of("approval.requested", "approval.escalated", "approval.approved", "token.issued");
            Api.as(lead.key()).get("/v1/approvals/" + id + "/receipt").then().statusCode(200);
            assertEquals(all, received(adminHook, id));
            assertEquals(all, seen(adminFeed, id));
            // The lead's own channels carry the request from its escalation on, not before.
            List<String> fromEscalation = List.of("approval.escalated", "approval.approved", "token.issued");
            assertEquals(fromEscalation, received(leadHook, id));
            assertEquals(fromEscalation, seen(leadFeed, id));
            String leadEmail = (String) Db.query("select email from principal where id = ?", lead.id()).get(0).get("email");
            assertTrue(mailedTo("approval.escalated", id).contains(leadEmail));
            assertTrue(!mailedTo("approval.requested", id).contains(leadEmail));
            assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.escalate' and target_id = ?", id));
        }
    }

    @Test
    void escalationApproversMustBeEnabledApproversOrAdmins() {
        String ns = Api.unique("sla-invalid");
        Api.Created agent = Api.principal("agent", ns);
        Api.admin().body(Map.of("default_tier", "sensitive", "escalate_after_seconds", 600,
                "escalation_approvers", List.of(agent.id()), "path_overrides", List.of(Map.of("pattern", ns + "/a/*",
                        "tier", "sensitive", "escalate_after_seconds", 60, "escalation_approvers", List.of("prn_nobody")))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(422)
                .body("errors.field", equalTo(List.of("escalation_approvers[0]", "path_overrides[0].escalation_approvers[0]")));
        Api.admin().body(Map.of("default_tier", "sensitive", "request_ttl_seconds", 600, "remind_after_seconds", 600))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(422)
                .body("errors.field", equalTo(List.of("remind_after_seconds")));
    }
}
