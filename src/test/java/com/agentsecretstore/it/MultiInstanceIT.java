package com.agentsecretstore.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.SseClient;
import com.agentsecretstore.support.SoftPasskey;
import com.agentsecretstore.support.TestDatabase;
import com.agentsecretstore.support.WebhookReceiver;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Two replicas of the packaged service on one database: every delayed token is issued exactly
 * once, a replica killed in the cancel window loses nothing, and a restart after the window picks
 * up the overdue issuance. Runs in the verify phase, against the jar that package built.
 */
class MultiInstanceIT {

    static final String SCHEMA = "ass_it";
    static final SecureRandom RANDOM = new SecureRandom();
    /** Generous deadlines: two replicas and the build share a machine that may be busy. */
    static final Duration EVENTUALLY = Duration.ofSeconds(90);
    static final String ADMIN_KEY = "ass_MultiInstanceIt" + alphanumeric(32);
    static Instance a;
    static Instance b;

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        sql("drop schema if exists " + SCHEMA + " cascade");
        byte[] master = new byte[32];
        RANDOM.nextBytes(master);
        Map<String, String> env = new HashMap<>(TestDatabase.replicaEnvironment());
        env.putAll(Map.of(
                "ASS_DB_SCHEMA", SCHEMA,
                "ASS_MASTER_KEY", Base64.getEncoder().encodeToString(master),
                "ASS_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY,
                "ASS_APPROVALS_JOB_INTERVAL", "1s",
                "ASS_WEBHOOKS_ALLOW_PRIVATE", "true",
                "ASS_WEBHOOKS_RETRY_SCHEDULE", "0s,300ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
                "ASS_WEBHOOKS_POLL_INTERVAL", "1s"));
        a = new Instance("a", 18491, env).start();
        b = new Instance("b", 18492, env).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.kill();
        }
        if (b != null) {
            b.kill();
        }
        sql("drop schema if exists " + SCHEMA + " cascade");
    }

    @BeforeEach
    void bothRunning() throws Exception {
        if (!a.running()) {
            a.start();
        }
        if (!b.running()) {
            b.start();
        }
    }

    @Test
    void everyDelayedRequestIsIssuedExactlyOnceByTwoReplicas() throws Exception {
        Setup s = setup(2);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Instance via = i % 2 == 0 ? a : b;
            String id = requestCritical(via, s);
            approve(via, s.approver1, id);
            approve(i % 2 == 0 ? b : a, s.approver2, id).then().body("status", equalTo("delayed"));
            ids.add(id);
        }
        awaitAllApproved(ids);
        assertIssuedOnce(ids);
    }

    @Test
    void killingAReplicaInTheCancelWindowDoesNotLoseTheIssuance() throws Exception {
        Setup s = setup(6);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = requestCritical(a, s);
            approve(a, s.approver1, id);
            approve(a, s.approver2, id).then().body("status", equalTo("delayed"));
            ids.add(id);
        }
        a.kill();
        assertEquals(ids.size(), count("select count(*) from approval_request where status = 'delayed' and id = any(?)", ids),
                "the replica was killed inside the cancel window");
        awaitAllApproved(ids);
        assertIssuedOnce(ids);
    }

    @Test
    void aRestartAfterTheCancelWindowIssuesTheOverdueTokens() throws Exception {
        Setup s = setup(6);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = requestCritical(b, s);
            approve(a, s.approver1, id);
            approve(b, s.approver2, id).then().body("status", equalTo("delayed"));
            ids.add(id);
        }
        a.kill();
        b.kill();
        assertEquals(ids.size(), count("select count(*) from approval_request where status = 'delayed' and id = any(?)", ids),
                "the replicas were stopped inside the cancel window");
        Instant due = lastIssueAt(ids).plusMillis(500);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> Instant.now().isAfter(due));
        assertEquals(ids.size(), count("select count(*) from approval_request where status = 'delayed' and id = any(?)", ids),
                "nothing was issued while no replica ran");
        a.start();
        awaitAllApproved(ids);
        assertIssuedOnce(ids);
        given().baseUri(a.base()).header("Authorization", "Bearer " + s.agentKey)
                .get("/v1/approvals/" + ids.get(0) + "/token").then().statusCode(200);
    }

    @Test
    void anApprovalThroughOneReplicaReachesAFeedClientOfTheOther() throws Exception {
        Setup s = setup(60);
        try (SseClient feed = new SseClient(b.base() + "/v1/events/stream", s.approver1, null)) {
            await().atMost(EVENTUALLY).until(feed::connected);
            String id = requestCritical(a, s);
            await().atMost(EVENTUALLY).until(() -> feed.events.stream().anyMatch(e -> e.data().contains(id)));
            approve(a, s.approver2, id);
            await().atMost(EVENTUALLY).until(() -> feed.events.stream()
                    .anyMatch(e -> e.data().contains(id) && "approval.progress".equals(e.name())));
        }
    }

    @Test
    void aFeedClientReconnectingToTheOtherReplicaWithLastEventIdMissesNothing() throws Exception {
        Setup s = setup(60);
        String lastId;
        String first;
        try (SseClient feed = new SseClient(a.base() + "/v1/events/stream", s.approver1, null)) {
            await().atMost(EVENTUALLY).until(feed::connected);
            first = requestCritical(a, s);
            await().atMost(EVENTUALLY).until(() -> feed.events.stream().anyMatch(e -> e.data().contains(first)));
            lastId = feed.events.get(feed.events.size() - 1).id();
        }
        approve(b, s.approver2, first);
        String second = requestCritical(b, s);
        try (SseClient feed = new SseClient(b.base() + "/v1/events/stream", s.approver1, lastId)) {
            await().atMost(EVENTUALLY).until(() -> feed.events.stream().anyMatch(e -> e.data().contains(second)));
            List<String> names = feed.events.stream().filter(e -> e.data().contains(first) || e.data().contains(second))
                    .map(SseClient.Event::name).toList();
            assertEquals(List.of("approval.progress", "approval.requested"), names);
        }
    }

    @Test
    void webhookDeliveriesPendingAtARestartAreDeliveredAfterIt() throws Exception {
        Setup s = setup(60);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            as(a, s.agentKey).body(Map.of("url", receiver.url(), "events", List.of("approval.requested", "approval.progress")))
                    .post("/v1/webhooks").then().statusCode(201);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = requestCritical(i % 2 == 0 ? a : b, s);
                approve(b, s.approver1, id);
                ids.add(id);
            }
            a.kill();
            b.kill();
            receiver.up();
            a.start();
            await().atMost(EVENTUALLY).until(() -> receiver.accepted.size() >= 6);
            java.util.Set<String> distinct = new java.util.HashSet<>();
            receiver.accepted.forEach(r -> assertTrue(distinct.add(r.id()), "delivered twice: " + r.id()));
            for (String id : ids) {
                List<String> events = receiver.accepted.stream().map(WebhookReceiver.Received::body)
                        .filter(body -> body.contains(id))
                        .map(body -> body.contains("approval.requested") ? "requested" : "progress").toList();
                assertEquals(List.of("requested", "progress"), events, "in order for " + id);
            }
        }
    }

    // --- helpers ------------------------------------------------------------------------------

    record Setup(String ns, String agentKey, String approver1, String approver2) {
    }

    private static Setup setup(int delaySeconds) {
        String ns = "it-" + alphanumeric(8).toLowerCase();
        admin(a).body(Map.of("default_tier", "critical", "path_overrides", List.of(Map.of("pattern", ns + "/**",
                "tier", "critical", "required_approvals", 2, "approval_delay_seconds", delaySeconds))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        admin(a).body(Map.of("value", "v-" + alphanumeric(12))).put("/v1/secrets/" + ns + "/db/password").then().statusCode(201);
        return new Setup(ns, principal("agent", ns), principal("approver", ns), principal("approver", ns));
    }

    private static String principal(String role, String ns) {
        return admin(a).body(Map.of("name", role + "-" + alphanumeric(10), "role", role, "namespaces", List.of(ns)))
                .post("/v1/principals").then().statusCode(201).extract().path("api_key");
    }

    private static String requestCritical(Instance via, Setup s) {
        return as(via, s.agentKey).body(Map.of("scope", "secrets:read:" + s.ns + "/db/*", "ttl_seconds", 300,
                "description", "multi-instance", "run_id", "run-" + System.nanoTime())).post("/v1/tokens").then().statusCode(202)
                .extract().path("approval_request_id");
    }

    /**
     * A critical approval with a fresh assertion of the approver's software passkey; its challenge is
     * asked of the other replica, so the step-up too is proven to live in PostgreSQL, not in one process.
     */
    private static Response approve(Instance via, String key, String id) {
        Instance other = via == a ? b : a;
        Map<String, Object> stepUp = SoftPasskey.of(key, k -> as(other, k)).stepUp(key, id, k -> as(other, k));
        Response r = as(via, key).body(Map.of("comment", "ok", "step_up", stepUp)).post("/v1/approvals/" + id + "/approve");
        r.then().statusCode(200);
        return r;
    }

    private static Instant lastIssueAt(List<String> ids) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "select max(issue_at) from approval_request where id = any(?)")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    private static void awaitAllApproved(List<String> ids) {
        await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(500)).until(() ->
                count("select count(*) from approval_request where status = 'approved' and id = any(?)", ids) == ids.size());
    }

    private static void assertIssuedOnce(List<String> ids) throws Exception {
        for (String id : ids) {
            assertEquals(1, count("select count(*) from token where request_id = ?", id), "tokens of " + id);
            assertEquals(1, count("select count(*) from audit_entry where action = 'token.issue' and details like ?",
                    "%" + id + "%"), "token.issue audit rows of " + id);
        }
    }

    private static RequestSpecification admin(Instance via) {
        return as(via, ADMIN_KEY);
    }

    private static RequestSpecification as(Instance via, String key) {
        return given().baseUri(via.base()).header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    private static long count(String query, Object param) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(query)) {
            if (param instanceof List<?> list) {
                ps.setArray(1, c.createArrayOf("text", list.toArray()));
            } else {
                ps.setObject(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("set client_min_messages = warning");
            s.execute(statement);
        }
    }

    private static Connection connect() throws Exception {
        Connection c = TestDatabase.connect();
        try (Statement s = c.createStatement()) {
            s.execute("set search_path to " + SCHEMA);
        }
        return c;
    }

    static String alphanumeric(int n) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return sb.toString();
    }
}
