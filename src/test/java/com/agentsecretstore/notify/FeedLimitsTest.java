package com.agentsecretstore.notify;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.SseClient;

import io.quarkus.test.junit.QuarkusTest;

/** Issue 11.4 and 11.5: the feed pages its replay, limits feeds per principal, and ends with its key. */
@QuarkusTest
class FeedLimitsTest {

    static String feed() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return "http://127.0.0.1:" + port + "/v1/events/stream";
    }

    static int config(String name) {
        return ConfigProvider.getConfig().getValue(name, Integer.class);
    }

    private static boolean opens(String key, List<SseClient> keep) {
        SseClient c = new SseClient(feed(), key, "0");
        await().atMost(Duration.ofSeconds(20)).until(() -> c.status != 0);
        if (c.connected()) {
            keep.add(c);
            return true;
        }
        c.close();
        return false;
    }

    @Test
    void aPrincipalPastItsFeedLimitIsRefusedWith429WhileOthersAreServed() {
        String ns = Flow.namespaceWithTiers("feed-cap", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        // Events this agent may not see, so each of its replays from 0 reads rows it must skip.
        for (int i = 0; i < 3; i++) {
            Flow.pending(other.key(), "secrets:read:" + ns + "/sens/*");
        }
        int max = config("ass.events.max-streams-per-principal");
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < max; i++) {
                open.add(new SseClient(feed(), agent.key(), "0"));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> open.stream().allMatch(SseClient::connected));

            Api.as(agent.key()).header("Accept", "text/event-stream").header("Last-Event-ID", "0")
                    .get("/v1/events/stream").then().statusCode(429)
                    .contentType("application/problem+json").body("status", equalTo(429));

            // Another principal still gets its feed, and a secret read is served.
            assertTrue(opens(other.key(), open));
            String token = Flow.requestToken(other.key(), "secrets:read:" + ns + "/std/*").then().statusCode(201)
                    .extract().path("value");
            Flow.read(other.key(), token, ns + "/std/key").then().statusCode(200);

            // A closed feed gives its slot back.
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(30)).until(() -> opens(agent.key(), open));
        } finally {
            open.forEach(SseClient::close);
        }
    }

    @Test
    void replayFromZeroSendsEveryVisibleEventInOrderAcrossManyPages() {
        String ns = Flow.namespaceWithTiers("feed-pages", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        int pages = 2;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < pages * config("ass.events.replay-page-size") + 5; i++) {
            ids.add(Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*"));
        }
        String mark = "\"namespace\":\"" + ns + "\"";
        try (SseClient client = new SseClient(feed(), approver.key(), "0")) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> client.events.stream().filter(e -> e.data().contains(mark)).count() >= ids.size());
            List<String> seen = client.events.stream().filter(e -> e.data().contains(mark))
                    .map(e -> ids.stream().filter(id -> e.data().contains(id)).findFirst().orElse("?")).toList();
            assertEquals(ids, seen, "each request's event once, in order");
            long previous = 0;
            Set<String> names = new HashSet<>();
            for (SseClient.Event e : client.events) {
                long seq = Long.parseLong(e.id());
                assertTrue(seq > previous, "in seq order, none twice");
                previous = seq;
                names.add(e.name());
            }
            assertEquals(Set.of("approval.requested"), names, "only what this approver may see: its namespace's requests");
        }
    }

    @Test
    void revokingTheKeyEndsItsOpenFeed() {
        Api.Created agent = Api.principal("agent", "feed-revoke");
        String keyId = Api.admin().get("/v1/principals/" + agent.id()).path("keys[0].id");
        try (SseClient client = new SseClient(feed(), agent.key(), null)) {
            await().atMost(Duration.ofSeconds(20)).until(client::connected);
            Api.admin().delete("/v1/principals/" + agent.id() + "/keys/" + keyId).then().statusCode(204);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.ended);
        }
        Api.as(agent.key()).header("Accept", "text/event-stream").get("/v1/events/stream").then().statusCode(401);
    }

    @Test
    void aKeyRevokedInTheDatabaseElsewhereEndsTheFeedHere() {
        Api.Created agent = Api.principal("agent", "feed-revoke-sql");
        String keyId = Api.admin().get("/v1/principals/" + agent.id()).path("keys[0].id");
        try (SseClient client = new SseClient(feed(), agent.key(), null)) {
            await().atMost(Duration.ofSeconds(20)).until(client::connected);
            // What another replica's revocation leaves behind: only the row changed.
            Db.update("update api_key set revoked_at = now() where id = ?", keyId);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.ended);
        }
    }

    @Test
    void disablingThePrincipalEndsItsFeed() {
        Api.Created agent = Api.principal("agent", "feed-disable");
        try (SseClient client = new SseClient(feed(), agent.key(), null)) {
            await().atMost(Duration.ofSeconds(20)).until(client::connected);
            Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + agent.id()).then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.ended);
        }
    }

    @Test
    void removingANamespaceFromAnApproverEndsItsFeedSoItReconnectsWithItsNewView() {
        String ns = Flow.namespaceWithTiers("feed-ns", 0);
        Api.Created approver = Api.principal("approver", ns, "other-ns");
        try (SseClient client = new SseClient(feed(), approver.key(), null)) {
            await().atMost(Duration.ofSeconds(20)).until(client::connected);
            Api.admin().body(Map.of("namespaces", List.of("other-ns"))).patch("/v1/principals/" + approver.id())
                    .then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.ended);
        }
    }
}
