package com.agentsecretstore.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.TestDatabase;
import com.sun.net.httpserver.HttpServer;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * SIGTERM to the packaged jar with a live feed open, a long-poll waiting and a webhook delivery in
 * flight (the receiver holds its answer): readiness turns unready while requests are still served,
 * the feed ends with a {@code retry:} hint, the long-poll answers at once with the request's state,
 * the delivery is handed back for other replicas, and the process exits within ASS_SHUTDOWN_GRACE.
 * Own schema and port (not those of {@link MultiInstanceIT}).
 */
class GracefulShutdownIT {

    static final String SCHEMA = "ass_it_shutdown";
    static final int PORT = 18493;
    static final Duration GRACE = Duration.ofSeconds(20);
    static final Duration EVENTUALLY = Duration.ofSeconds(60);
    static final SecureRandom RANDOM = new SecureRandom();
    static final String ADMIN_KEY = "ass_GracefulShutdownIt" + MultiInstanceIT.alphanumeric(32);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Instance replica;
    static HttpServer receiver;
    static final List<String> received = new CopyOnWriteArrayList<>();
    static final CountDownLatch releaseReceiver = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        sql("drop schema if exists " + SCHEMA + " cascade");
        byte[] master = new byte[32];
        RANDOM.nextBytes(master);
        Map<String, String> env = new HashMap<>(TestDatabase.replicaEnvironment());
        env.putAll(Map.of(
                "ASS_DB_SCHEMA", SCHEMA,
                "ASS_MASTER_KEY", Base64.getEncoder().encodeToString(master),
                "ASS_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY,
                "ASS_WEBHOOKS_ALLOW_PRIVATE", "true",
                "ASS_WEBHOOKS_TIMEOUT", "300s",
                "ASS_EVENTS_HEARTBEAT", "1s",
                "ASS_SHUTDOWN_GRACE", GRACE.toSeconds() + "s",
                "ASS_SHUTDOWN_DELAY", "5s"));
        replica = new Instance("shutdown", PORT, env).start();
        // A receiver that takes the delivery and holds its answer until the test ends.
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext("/hook", exchange -> {
            received.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            try {
                releaseReceiver.await(5, TimeUnit.MINUTES);
                exchange.sendResponseHeaders(204, -1);
            } catch (InterruptedException | java.io.IOException e) {
                // The sender went away.
            } finally {
                exchange.close();
            }
        });
        receiver.start();
    }

    @AfterAll
    static void stop() throws Exception {
        releaseReceiver.countDown();
        if (receiver != null) {
            receiver.stop(0);
        }
        if (replica != null) {
            replica.kill();
        }
        sql("drop schema if exists " + SCHEMA + " cascade");
    }

    @Test
    void sigtermEndsFeedsAnswersLongPollsHandsDeliveriesBackAndExitsWithinTheGrace() throws Exception {
        String ns = "sd-" + MultiInstanceIT.alphanumeric(8).toLowerCase();
        admin().body(Map.of("default_tier", "critical", "path_overrides", List.of(Map.of("pattern", ns + "/**",
                "tier", "critical", "required_approvals", 2, "approval_delay_seconds", 0))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        admin().body(Map.of("value", "v-" + MultiInstanceIT.alphanumeric(12))).put("/v1/secrets/" + ns + "/db/password")
                .then().statusCode(201);
        String agent = principal("agent", ns);
        String approver = principal("approver", ns);
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        as(agent).body(Map.of("url", hook, "events", List.of("approval.requested"))).post("/v1/webhooks")
                .then().statusCode(201);

        // A live feed, read line by line as it comes.
        List<String> feed = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Void>> feedDone = HTTP.sendAsync(HttpRequest.newBuilder(
                URI.create(replica.base() + "/v1/events/stream")).header("Authorization", "Bearer " + approver)
                .header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.fromLineSubscriber(new LineCollector(feed)));
        await().atMost(EVENTUALLY).until(() -> feed.stream().anyMatch(l -> l.startsWith(":")));

        String id = as(agent).body(Map.of("scope", "secrets:read:" + ns + "/db/*", "ttl_seconds", 300,
                "description", "graceful shutdown")).post("/v1/tokens").then().statusCode(202)
                .extract().path("approval_request_id");
        await().atMost(EVENTUALLY).until(() -> feed.contains("event:approval.requested")
                || feed.contains("event: approval.requested"));
        // The delivery is in flight: the receiver has it and holds its answer.
        await().atMost(EVENTUALLY).until(() -> received.size() == 1);
        assertEquals(List.of("sending"), deliveryStates(), "claimed, with a lease");

        // A long-poll that would wait five minutes.
        CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(HttpRequest.newBuilder(
                URI.create(replica.base() + "/v1/approvals/" + id + "/wait?timeout_seconds=300"))
                .header("Authorization", "Bearer " + agent).build(), HttpResponse.BodyHandlers.ofString());

        long t0 = System.nanoTime();
        replica.terminate();

        // Readiness goes first; while unready (ASS_SHUTDOWN_DELAY: five seconds, ample for the two
        // requests below), the replica still serves requests.
        await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(100)).until(() -> replica.readiness() == 503);
        as(agent).get("/v1/approvals/" + id).then().statusCode(200);

        HttpResponse<String> answered = poll.get(GRACE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, answered.statusCode());
        assertTrue(answered.body().contains("\"status\":\"pending\""), "the request's current state: " + answered.body());

        feedDone.get(GRACE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(feed.stream().anyMatch(l -> l.matches("retry: ?1000")), "a reconnect hint before the end: " + feed);

        assertTrue(replica.awaitExit(GRACE.plusSeconds(5)), "the process exits");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertTrue(took.compareTo(GRACE) < 0, "exited within the grace: " + took);

        // The delivery is due again, for any replica, and its abandoned attempt does not count.
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select status, locked_until, attempts from webhook_delivery")) {
            assertTrue(rs.next());
            assertEquals("pending", rs.getString(1));
            assertEquals(null, rs.getObject(2));
            assertEquals(0, rs.getInt(3));
        }
    }

    /** Collects the lines of a response as they arrive. */
    record LineCollector(List<String> lines) implements java.util.concurrent.Flow.Subscriber<String> {
        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            lines.add(line);
        }

        @Override
        public void onError(Throwable t) {
            lines.add("!error " + t);
        }

        @Override
        public void onComplete() {
        }
    }

    private static List<String> deliveryStates() throws Exception {
        List<String> states = new java.util.ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select status from webhook_delivery")) {
            while (rs.next()) {
                states.add(rs.getString(1));
            }
        }
        return states;
    }

    private static String principal(String role, String ns) {
        return admin().body(Map.of("name", role + "-" + MultiInstanceIT.alphanumeric(10), "role", role,
                "namespaces", List.of(ns))).post("/v1/principals").then().statusCode(201).extract().path("api_key");
    }

    private static RequestSpecification admin() {
        return as(ADMIN_KEY);
    }

    private static RequestSpecification as(String key) {
        return given().baseUri(replica.base()).header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
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
}
