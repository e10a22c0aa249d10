package com.agentsecretstore.notify;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.GreenMailResource;
import com.agentsecretstore.support.WebhookReceiver;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A sender that crashed mid-send leaves its row {@code sending} with a lease; once the lease has run
 * out the shared outbox claims the row again and delivers it exactly once, on both channels (a real
 * HTTP receiver, a real SMTP server). A row whose lease still runs is left to its sender. The crashed
 * claims are written straight into the tables, as a dead replica would have left them.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class OutboxLeaseTest {

    static final Duration EVENTUALLY = Duration.ofSeconds(90);
    static final Duration DB_POLL = Duration.ofMillis(500);

    /** A claim as a sender leaves it: one attempt counted, leased until {@code lease} from now. */
    static final String CLAIMED_WEBHOOK = """
            insert into webhook_delivery (id, webhook_id, event_seq, ordering_key, status, attempts, next_attempt_at,
                                          locked_until, created_at)
            values (?, ?, ?, ?, 'sending', 1, now() - interval '2 minutes', now() + cast(? as interval), now() - interval '2 minutes')""";
    static final String CLAIMED_MAIL = """
            insert into mail_delivery (id, event_seq, recipient, subject, body, status, attempts, next_attempt_at,
                                       locked_until, created_at)
            values (?, ?, ?, ?, 'Left behind by a crashed sender.', 'sending', 1, now() - interval '2 minutes',
                    now() + cast(? as interval), now() - interval '2 minutes')""";

    @Inject
    WebhookDispatcher webhooks;

    @Inject
    MailDispatcher mail;

    @Test
    void aWebhookDeliveryWhoseLeaseRanOutIsDeliveredExactlyOnce() throws Exception {
        String ns = Flow.namespaceWithTiers("outbox-lease", 0);
        Api.Created agent = Api.principal("agent", ns);
        try (WebhookReceiver receiver = new WebhookReceiver().up()) {
            String hook = Api.as(agent.key()).body(Map.of("url", receiver.url(), "events", EventType.ALL))
                    .post("/v1/webhooks").then().statusCode(201).body("id", startsWith("wh_")).extract().path("id");
            try {
                String request = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
                long seq = eventOf(request);
                String crashed = Api.unique("whd_crashed");
                String live = Api.unique("whd_live");
                Db.update(CLAIMED_WEBHOOK, crashed, hook, seq, Api.unique("crashed-order"), "-1 minute");
                Db.update(CLAIMED_WEBHOOK, live, hook, seq, Api.unique("live-order"), "1 hour");
                webhooks.wake();

                await().atMost(EVENTUALLY).pollInterval(DB_POLL).until(() -> "delivered".equals(status("webhook_delivery", crashed)));

                assertEquals(1, receiver.attempts.stream().filter(crashed::equals).count(), "sent once");
                assertEquals(1, receiver.accepted.stream().filter(r -> r.id().equals(crashed)).count());
                assertReclaimedOnce("webhook_delivery", crashed);
                assertEquals("sending", status("webhook_delivery", live), "a running lease is left to its sender");
                assertFalse(receiver.attempts.contains(live));
                String shown = "items.find { it.id == '" + crashed + "' }.";
                Api.as(agent.key()).get("/v1/webhooks/" + hook + "/deliveries").then().statusCode(200)
                        .body(shown + "status", equalTo("delivered")).body(shown + "attempts", equalTo(2))
                        .body(shown + "event_type", equalTo("approval.requested"))
                        .body(shown + "approval_request_id", equalTo(request)).body(shown + "event_seq", equalTo((int) seq))
                        .body(shown + "last_status_code", notNullValue()).body(shown + "delivered_at", notNullValue());
            } finally {
                // Its deliveries go with it (on delete cascade), the one still leased too.
                Api.as(agent.key()).delete("/v1/webhooks/" + hook);
            }
        }
    }

    @Test
    void anEmailWhoseLeaseRanOutIsSentExactlyOnce() {
        String ns = Flow.namespaceWithTiers("outbox-lease-mail", 0);
        Api.Created agent = Api.principal("agent", ns);
        long seq = eventOf(Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*"));
        String crashed = Api.unique("mail_crashed");
        String live = Api.unique("mail_live");
        String crashedTo = Api.unique("crashed").toLowerCase() + "@example.com";
        String liveTo = Api.unique("live").toLowerCase() + "@example.com";
        try {
            Db.update(CLAIMED_MAIL, crashed, seq, crashedTo, "Reclaimed " + crashed, "-1 minute");
            Db.update(CLAIMED_MAIL, live, seq, liveTo, "Still leased " + live, "1 hour");
            mail.wake();

            await().atMost(EVENTUALLY).pollInterval(DB_POLL).until(() -> "delivered".equals(status("mail_delivery", crashed)));

            List<MimeMessage> sent = messagesTo(crashedTo);
            assertEquals(1, sent.size(), "sent once");
            assertEquals("Reclaimed " + crashed, subject(sent.get(0)));
            assertReclaimedOnce("mail_delivery", crashed);
            assertEquals("sending", status("mail_delivery", live), "a running lease is left to its sender");
            assertEquals(0, messagesTo(liveTo).size());
        } finally {
            Db.update("delete from mail_delivery where id = ?", live);
        }
    }

    /** The reclaim counted one more attempt on top of the crashed one and let go of the lease. */
    private static void assertReclaimedOnce(String table, String id) {
        Map<String, Object> row = Db.query("select attempts, locked_until, delivered_at from " + table + " where id = ?", id).get(0);
        assertEquals(2, ((Number) row.get("attempts")).intValue());
        assertNull(row.get("locked_until"));
        assertNotNull(row.get("delivered_at"));
    }

    private static long eventOf(String requestId) {
        return Db.count("select seq from event where approval_request_id = ? and type = 'approval.requested'", requestId);
    }

    private static String status(String table, String id) {
        return (String) Db.query("select status from " + table + " where id = ?", id).get(0).get("status");
    }

    private static List<MimeMessage> messagesTo(String email) {
        return Arrays.stream(GreenMailResource.server().getReceivedMessages()).filter(m -> {
            try {
                return Arrays.toString(m.getAllRecipients()).contains(email);
            } catch (MessagingException e) {
                return false;
            }
        }).toList();
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
