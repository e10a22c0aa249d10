package com.agentsecretstore.notify;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.GreenMailResource;
import com.agentsecretstore.support.WebhookReceiver;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Webhooks delivered to a real HTTP receiver on loopback, verified with the Standard Webhooks
 * reference library (npm {@code standardwebhooks}, run by node). Each test registers an agent's
 * webhook, which receives only that agent's requests, so tests sharing the database stay apart.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class WebhookDeliveryTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> REFERENCE_FIELDS = List.of("event", "approval_request_id", "requested_by", "scope",
            "secret_paths", "tier", "description", "expires_at", "approve_url", "timestamp");

    /** Generous deadlines (a busy machine is slow); database conditions are polled twice a second. */
    static final Duration EVENTUALLY = Duration.ofSeconds(90);
    static final Duration DB_POLL = Duration.ofMillis(500);

    record Hook(String id, String secret, String ownerKey) {
    }

    final List<Hook> registered = new ArrayList<>();

    Hook register(String key, String url) {
        Response r = Api.as(key).body(Map.of("url", url, "events", EventType.ALL)).post("/v1/webhooks");
        r.then().statusCode(201).body("id", startsWith("wh_")).body("secret", startsWith("whsec_"));
        Api.SENSITIVE.add(r.path("secret"));
        Hook hook = new Hook(r.path("id"), r.path("secret"), key);
        registered.add(hook);
        return hook;
    }

    /** A test's webhooks go with it, so that no retries to its closed receiver run on into later tests. */
    @AfterEach
    void deleteWebhooks() {
        registered.forEach(h -> Api.as(h.ownerKey()).delete("/v1/webhooks/" + h.id()));
        registered.clear();
    }

    @Test
    void everyEventTypeArrivesSignedVerifiablyByTheReferenceLibrary() throws Exception {
        String ns = Flow.namespaceWithTiers("wh-all", 1);
        String shortLived = Api.unique("wh-expiring");
        Api.admin().body(Map.of("default_tier", "sensitive", "request_ttl_seconds", 1))
                .put("/v1/namespaces/" + shortLived + "/policy").then().statusCode(200);
        Api.Created agent = Api.principal("agent", ns, shortLived);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        try (WebhookReceiver receiver = new WebhookReceiver().up()) {
            Hook hook = register(agent.key(), receiver.url());
            String sens = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            Flow.approve(a1.key(), sens).then().statusCode(200);
            String crit = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
            Flow.approve(a1.key(), crit).then().statusCode(200);
            Flow.approve(a2.key(), crit).then().body("status", equalTo("delayed"));
            String denied = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            Flow.deny(a1.key(), denied, "not today").then().statusCode(200);
            String cancelled = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            Flow.cancel(agent.key(), cancelled).then().statusCode(200);
            await().atMost(EVENTUALLY).pollInterval(DB_POLL).until(() -> "approved".equals(Flow.status(agent.key(), crit)));
            // Expires after its namespace's request_ttl_seconds of 1, by the scheduled job.
            String expired = Flow.pending(agent.key(), "secrets:read:" + shortLived + "/any/*");

            // Distinct deliveries: on a loaded machine a delivery can time out after it arrived and be sent again.
            await().atMost(EVENTUALLY)
                    .until(() -> receiver.accepted.stream().map(WebhookReceiver.Received::id).distinct().count() >= 13);
            Map<String, List<String>> byRequest = eventsByRequest(receiver.accepted);
            assertEquals(List.of("approval.requested", "approval.approved", "token.issued"), byRequest.get(sens));
            assertEquals(List.of("approval.requested", "approval.progress", "approval.approved", "token.issued"),
                    byRequest.get(crit));
            assertEquals(List.of("approval.requested", "approval.denied"), byRequest.get(denied));
            assertEquals(List.of("approval.requested", "approval.cancelled"), byRequest.get(cancelled));
            assertEquals(List.of("approval.requested", "approval.expired"), byRequest.get(expired));

            for (WebhookReceiver.Received m : receiver.accepted) {
                Map<String, Object> body = JSON.readValue(m.body(), new TypeReference<>() { });
                assertTrue(body.keySet().containsAll(REFERENCE_FIELDS), "reference fields in " + body.keySet());
                assertTrue(String.valueOf(body.get("approve_url")).endsWith("/dashboard/approvals/" + body.get("approval_request_id")));
            }
            List<String> verdicts = verifyWithReferenceLibrary(receiver.accepted, hook.secret());
            assertEquals(receiver.accepted.size(), verdicts.size());
            assertTrue(verdicts.stream().allMatch("ok"::equals), "reference library verdicts: " + verdicts);
        }
    }

    @Test
    void aTamperedBodyOrAStaleTimestampFailsTheReferenceLibrary() throws Exception {
        String ns = Flow.namespaceWithTiers("wh-tamper", 0);
        Api.Created agent = Api.principal("agent", ns);
        try (WebhookReceiver receiver = new WebhookReceiver().up()) {
            Hook hook = register(agent.key(), receiver.url());
            Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            await().atMost(EVENTUALLY).until(() -> !receiver.accepted.isEmpty());
            WebhookReceiver.Received good = receiver.accepted.get(0);
            WebhookReceiver.Received tampered = new WebhookReceiver.Received(good.id(), good.timestamp(), good.signature(),
                    good.body().replace("\"tier\":\"sensitive\"", "\"tier\":\"standard\""), 0);
            long stale = Instant.now().minusSeconds(400).getEpochSecond();
            WebhookReceiver.Received old = new WebhookReceiver.Received(good.id(), String.valueOf(stale),
                    WebhookSigner.sign(WebhookSigner.key(hook.secret()), good.id(), stale, good.body()), good.body(), 0);
            List<String> verdicts = verifyWithReferenceLibrary(List.of(good, tampered, old), hook.secret());
            assertEquals("ok", verdicts.get(0));
            assertTrue(verdicts.get(1).startsWith("fail"), verdicts.get(1));
            assertTrue(verdicts.get(2).startsWith("fail"), verdicts.get(2));
        }
    }

    @Test
    void aReceiverThatIsDownThenFailsThenHangsGetsEveryEventInOrderOnceItIsUp() throws Exception {
        String ns = Flow.namespaceWithTiers("wh-down", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Hook hook = register(agent.key(), receiver.url());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
                Flow.approve(approver.key(), id).then().statusCode(200);
                ids.add(id);
            }
            // Down: connections are refused and retried.
            await().atMost(EVENTUALLY).pollInterval(DB_POLL).until(() -> Db.count(
                    "select coalesce(max(attempts), 0) from webhook_delivery where webhook_id = ?", hook.id()) >= 2);
            // Up, but failing with 500.
            receiver.mode(WebhookReceiver.Mode.FAIL_500).up();
            await().atMost(EVENTUALLY).until(() -> receiver.attempts.size() >= 2);
            // Hanging past the sender's timeout.
            receiver.mode(WebhookReceiver.Mode.HANG);
            await().atMost(EVENTUALLY).pollInterval(DB_POLL).until(() -> Db.count(
                    "select count(*) from webhook_delivery where webhook_id = ? and last_error = 'timed out'", hook.id()) >= 1);
            receiver.mode(WebhookReceiver.Mode.OK);

            await().atMost(EVENTUALLY).pollInterval(DB_POLL).until(() -> Db.count(
                    "select count(*) from webhook_delivery where webhook_id = ? and status = 'delivered'", hook.id()) == 9);
            Set<String> seen = new HashSet<>();
            for (WebhookReceiver.Received r : receiver.accepted) {
                assertTrue(seen.add(r.id()), "delivered twice after a success: " + r.id());
            }
            Map<String, List<String>> byRequest = eventsByRequest(receiver.accepted);
            for (String id : ids) {
                assertEquals(List.of("approval.requested", "approval.approved", "token.issued"), byRequest.get(id));
            }
            Api.as(agent.key()).get("/v1/webhooks/" + hook.id() + "/deliveries").then().statusCode(200)
                    .body("items[0].status", equalTo("delivered")).body("items[0].attempts", notNullValue());
        }
    }

    @Test
    void a410DisablesTheWebhookAndRedeliverSendsAgainAfterReEnabling() throws Exception {
        String ns = Flow.namespaceWithTiers("wh-gone", 0);
        Api.Created agent = Api.principal("agent", ns);
        try (WebhookReceiver receiver = new WebhookReceiver().mode(WebhookReceiver.Mode.GONE_410).up()) {
            Hook hook = register(agent.key(), receiver.url());
            Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            await().atMost(EVENTUALLY).pollInterval(DB_POLL).until(() -> Api.as(agent.key()).get("/v1/webhooks/" + hook.id())
                    .path("disabled_at") != null);
            String deliveryId = Api.as(agent.key()).get("/v1/webhooks/" + hook.id() + "/deliveries").path("items[0].id");
            Api.as(agent.key()).get("/v1/webhooks/" + hook.id() + "/deliveries").then().body("items[0].status", equalTo("failed"))
                    .body("items[0].last_status_code", equalTo(410));

            receiver.mode(WebhookReceiver.Mode.OK);
            Api.as(agent.key()).post("/v1/webhooks/" + hook.id() + "/enable").then().statusCode(200);
            Api.as(agent.key()).post("/v1/webhooks/" + hook.id() + "/deliveries/" + deliveryId + "/redeliver")
                    .then().statusCode(202);
            await().atMost(EVENTUALLY).until(() -> receiver.accepted.stream().anyMatch(r -> r.id().equals(deliveryId)));
        }
    }

    @Test
    void webhooksAreValidatedAndOwnedByTheirCreator() {
        Api.Created agent = Api.principal("agent");
        Api.Created other = Api.principal("agent");
        Api.as(agent.key()).body(Map.of("url", "ftp://x", "events", List.of("approval.requested"))).post("/v1/webhooks")
                .then().statusCode(422).body("errors[0].field", equalTo("url"));
        Api.as(agent.key()).body(Map.of("url", "http://127.0.0.1:9/x", "events", List.of("approval.everything")))
                .post("/v1/webhooks").then().statusCode(422).body("errors[0].field", equalTo("events[0]"));
        String id = Api.as(agent.key()).body(Map.of("url", "http://127.0.0.1:9/x", "events", List.of("approval.requested"),
                "secret", "whsec_your_signing_secret")).post("/v1/webhooks").then().statusCode(201)
                .body("secret", org.hamcrest.Matchers.nullValue()).extract().path("id");
        Api.as(other.key()).get("/v1/webhooks/" + id).then().statusCode(404);
        Api.as(other.key()).delete("/v1/webhooks/" + id).then().statusCode(404);
        Api.as(agent.key()).body(Map.of()).post("/v1/webhooks/" + id + "/rotate-secret").then().statusCode(200)
                .body("secret_version", equalTo(2)).body("secret", startsWith("whsec_"));
        Api.as(agent.key()).delete("/v1/webhooks/" + id).then().statusCode(204);
    }

    /**
     * Issue 11.3: one receiver trickles its answer a byte at a time, another streams a huge body;
     * a third principal's healthy receiver still gets its delivery within seconds, the trickling
     * attempt ends at its deadline, and the huge body is not read past the cap.
     */
    @Test
    void aTricklingOrHugeReceiverHoldsUpNoOneElse() throws Exception {
        String ns = Flow.namespaceWithTiers("wh-slow", 0);
        Api.Created slow = Api.principal("agent", ns);
        Api.Created big = Api.principal("agent", ns);
        Api.Created healthy = Api.principal("agent", ns);
        try (WebhookReceiver trickling = new WebhookReceiver().mode(WebhookReceiver.Mode.TRICKLE).up();
                WebhookReceiver huge = new WebhookReceiver().mode(WebhookReceiver.Mode.HUGE).up();
                WebhookReceiver fine = new WebhookReceiver().up()) {
            Hook slowHook = register(slow.key(), trickling.url());
            Hook bigHook = register(big.key(), huge.url());
            register(healthy.key(), fine.url());
            for (int i = 0; i < 3; i++) {
                Flow.pending(slow.key(), "secrets:read:" + ns + "/sens/*");
                Flow.pending(big.key(), "secrets:read:" + ns + "/sens/*");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> !trickling.attempts.isEmpty() && !huge.attempts.isEmpty());

            String id = Flow.pending(healthy.key(), "secrets:read:" + ns + "/sens/*");
            await().atMost(Duration.ofSeconds(10)).until(() -> fine.accepted.stream().anyMatch(r -> r.body().contains(id)));

            // The trickle never finishes: each attempt is cut at the deadline (2 s in tests) and retried.
            await().atMost(Duration.ofSeconds(20)).until(() -> Db.count("select count(*) from webhook_delivery "
                    + "where webhook_id = ? and last_error = 'timed out'", slowHook.id()) >= 1);
            // The huge body's 200 counts once the cap is read; the rest is never fetched.
            await().atMost(Duration.ofSeconds(20)).until(() -> Db.count("select count(*) from webhook_delivery "
                    + "where webhook_id = ? and status = 'delivered'", bigHook.id()) == 3);
            assertTrue(huge.bytesSent.get() < 3 * (32L << 20), "bytes the sender took: " + huge.bytesSent.get());
        }
    }

    /** Issue 11.11: a principal's webhooks are capped (nothing written over the cap) and unique per URL. */
    @Test
    void webhooksAreCappedPerPrincipalAndUniquePerUrl() {
        Api.Created agent = Api.principal("agent");
        int max = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("ass.webhooks.max-per-principal", Integer.class);
        Map<String, Object> first = Map.of("url", "http://127.0.0.1:9/hook-0", "events", List.of("approval.requested"));
        String id = Api.as(agent.key()).body(first).post("/v1/webhooks").then().statusCode(201).extract().path("id");
        Api.as(agent.key()).body(first).post("/v1/webhooks").then().statusCode(409)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString(id));
        for (int i = 1; i < max; i++) {
            Api.as(agent.key()).body(Map.of("url", "http://127.0.0.1:9/hook-" + i, "events", List.of("approval.requested")))
                    .post("/v1/webhooks").then().statusCode(201);
        }
        Api.as(agent.key()).body(Map.of("url", "http://127.0.0.1:9/hook-over", "events", List.of("approval.requested")))
                .post("/v1/webhooks").then().statusCode(422).contentType("application/problem+json");
        assertEquals(max, Db.count("select count(*) from webhook where created_by = ?", agent.id()));
        // Another principal has its own allowance, and may use the same URL.
        Api.Created other = Api.principal("agent");
        Api.as(other.key()).body(first).post("/v1/webhooks").then().statusCode(201);
        // Deleting one makes room again.
        Api.as(agent.key()).delete("/v1/webhooks/" + id).then().statusCode(204);
        Api.as(agent.key()).body(Map.of("url", "http://127.0.0.1:9/hook-over", "events", List.of("approval.requested")))
                .post("/v1/webhooks").then().statusCode(201);
    }

    static Map<String, List<String>> eventsByRequest(List<WebhookReceiver.Received> received) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (WebhookReceiver.Received r : received) {
            if (!seen.add(r.id())) {
                continue;
            }
            Map<String, Object> body = JSON.readValue(r.body(), new TypeReference<>() { });
            out.computeIfAbsent((String) body.get("approval_request_id"), k -> new ArrayList<>()).add((String) body.get("event"));
        }
        return out;
    }

    /** Runs node with the reference library over the messages; one verdict per message. */
    static List<String> verifyWithReferenceLibrary(List<WebhookReceiver.Received> messages, String secret) throws Exception {
        Path dir = Path.of("src/test/node");
        if (!Files.isDirectory(dir.resolve("node_modules/standardwebhooks"))) {
            run(dir.toFile(), "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (WebhookReceiver.Received m : messages) {
            out.add(Map.of("id", m.id(), "timestamp", m.timestamp(), "signature", m.signature(), "body", m.body()));
        }
        Path file = Files.createTempFile(Path.of("target"), "webhooks", ".json");
        Files.writeString(file, JSON.writeValueAsString(out));
        String output = run(dir.toFile(), "node", "verify.mjs", file.toAbsolutePath().toString(), secret);
        Files.deleteIfExists(file);
        return output.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String run(File dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
