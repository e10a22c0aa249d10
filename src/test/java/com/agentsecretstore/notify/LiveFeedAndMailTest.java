package com.agentsecretstore.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.GreenMailResource;
import com.agentsecretstore.support.SseClient;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class LiveFeedAndMailTest {

    static String feed() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return "http://127.0.0.1:" + port + "/v1/events/stream";
    }

    /** Deadlines are generous (a busy machine is slow); what is checked is that the event comes, pushed. */
    static final Duration EVENTUALLY = Duration.ofSeconds(60);

    @Test
    void anApproverSeesANewRequestOnTheFeed() {
        String ns = Flow.namespaceWithTiers("sse", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        try (SseClient client = new SseClient(feed(), approver.key(), null)) {
            await().atMost(EVENTUALLY).until(client::connected);
            String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            await().atMost(EVENTUALLY).until(() -> client.events.stream().anyMatch(e -> e.data().contains(id)));
            SseClient.Event e = client.events.stream().filter(x -> x.data().contains(id)).findFirst().orElseThrow();
            assertEquals("approval.requested", e.name());
            assertTrue(Long.parseLong(e.id()) > 0);
        }
    }

    @Test
    void theFeedShowsEachCallerOnlyWhatItMaySee() {
        String ns = Flow.namespaceWithTiers("sse-scope", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created otherAgent = Api.principal("agent", ns);
        String elsewhere = Flow.namespaceWithTiers("sse-elsewhere", 0);
        Api.Created outsider = Api.principal("approver", elsewhere);
        Api.Created agentElsewhere = Api.principal("agent", elsewhere);
        try (SseClient mine = new SseClient(feed(), agent.key(), null);
                SseClient other = new SseClient(feed(), otherAgent.key(), null);
                SseClient stranger = new SseClient(feed(), outsider.key(), null)) {
            await().atMost(EVENTUALLY).until(() -> mine.connected() && other.connected() && stranger.connected());
            String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            await().atMost(EVENTUALLY).until(() -> mine.events.stream().anyMatch(e -> e.data().contains(id)));
            // Later requests each of the others may see: the feed is in commit order, so once a marker has
            // arrived, the request before it would have arrived too, had it been shown.
            String otherMarker = Flow.pending(otherAgent.key(), "secrets:read:" + ns + "/sens/*");
            String strangerMarker = Flow.pending(agentElsewhere.key(), "secrets:read:" + elsewhere + "/sens/*");
            await().atMost(EVENTUALLY).until(() -> other.events.stream().anyMatch(e -> e.data().contains(otherMarker))
                    && stranger.events.stream().anyMatch(e -> e.data().contains(strangerMarker)));
            assertFalse(other.events.stream().anyMatch(e -> e.data().contains(id)));
            assertFalse(stranger.events.stream().anyMatch(e -> e.data().contains(id)));
        }
    }

    @Test
    void aClientReconnectingWithLastEventIdMissesNothing() {
        String ns = Flow.namespaceWithTiers("sse-replay", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String lastId;
        String first;
        try (SseClient client = new SseClient(feed(), approver.key(), null)) {
            await().atMost(EVENTUALLY).until(client::connected);
            first = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
            await().atMost(EVENTUALLY).until(() -> client.events.stream().anyMatch(e -> e.data().contains(first)));
            lastId = client.events.get(client.events.size() - 1).id();
        }
        // While disconnected: a decision and a new request.
        Flow.approve(approver.key(), first).then().statusCode(200);
        String second = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        try (SseClient again = new SseClient(feed(), approver.key(), lastId)) {
            await().atMost(EVENTUALLY).until(() -> again.events.stream().anyMatch(e -> e.data().contains(second)));
            List<String> names = again.events.stream()
                    .filter(e -> e.data().contains(first) || e.data().contains(second)).map(SseClient.Event::name).toList();
            assertEquals(List.of("approval.approved", "token.issued", "approval.requested"), names);
            long previous = Long.parseLong(lastId);
            for (SseClient.Event e : again.events) {
                long seq = Long.parseLong(e.id());
                assertTrue(seq > previous, "in order, none twice");
                previous = seq;
            }
        }
    }

    @Test
    void approversAreMailedANewRequestWithTheApproveLinkAndNoSecret() throws Exception {
        String ns = Flow.namespaceWithTiers("mail", 0);
        String email = Api.unique("alice").toLowerCase() + "@example.com";
        Api.admin().body(Map.of("name", Api.unique("alice"), "role", "approver", "namespaces", List.of(ns), "email", email))
                .post("/v1/principals").then().statusCode(201).extract().path("api_key");
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");

        await().atMost(EVENTUALLY).until(() -> messagesTo(email).length > 0);
        MimeMessage m = messagesTo(email)[0];
        String body = String.valueOf(m.getContent());
        assertTrue(m.getSubject().contains("secrets:read:" + ns + "/sens/*"), m.getSubject());
        assertTrue(body.contains("/dashboard/approvals/" + id), body);
        assertTrue(body.contains(agent.name()));
        for (String secret : Api.SENSITIVE) {
            assertFalse(body.contains(secret), "a secret or key in the mail");
        }
        await().atMost(EVENTUALLY).until(() -> Arrays.stream(GreenMailResource.server().getReceivedMessages())
                .anyMatch(x -> recipients(x).contains("security-team@example.com") && subject(x).contains(ns)));
    }

    @Test
    void theRequesterIsMailedTheOutcome() throws Exception {
        String ns = Flow.namespaceWithTiers("mail-outcome", 0);
        String email = Api.unique("bot").toLowerCase() + "@example.com";
        String key = Api.admin().body(Map.of("name", Api.unique("bot"), "role", "agent", "namespaces", List.of(ns),
                "email", email)).post("/v1/principals").then().statusCode(201).extract().path("api_key");
        Api.SENSITIVE.add(key);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(key, "secrets:read:" + ns + "/sens/*");
        Flow.deny(approver.key(), id, "Unexpected access pattern").then().statusCode(200);
        await().atMost(EVENTUALLY).until(() -> messagesTo(email).length > 0);
        assertTrue(messagesTo(email)[0].getSubject().startsWith("Denied"));
    }

    private static MimeMessage[] messagesTo(String email) {
        return Arrays.stream(GreenMailResource.server().getReceivedMessages())
                .filter(m -> recipients(m).contains(email)).toArray(MimeMessage[]::new);
    }

    private static String recipients(MimeMessage m) {
        try {
            return Arrays.toString(m.getAllRecipients());
        } catch (jakarta.mail.MessagingException e) {
            return "";
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            return "";
        }
    }
}
