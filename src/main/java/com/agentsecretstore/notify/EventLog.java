package com.agentsecretstore.notify;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.Ids;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Publishes an event inside the caller's transaction: the event row, one outbox row per webhook
 * that should receive it, the emails it causes, and a NOTIFY that fires on commit. If the
 * transaction rolls back, none of it happened.
 *
 * <p>The event lock serializes every event writer of the service, so nothing that can wait on
 * another transaction happens while it is held: who receives the event is read first, and the
 * receiving webhooks are locked against deletion (FOR KEY SHARE, what their outbox rows' foreign
 * key would take anyway) before it; under the lock come only the inserts, which then wait on no one.
 * A webhook being deleted by a stuck transaction delays the events meant for it (until
 * {@code lock_timeout}), never anyone else's.
 *
 * <p>It owns no table: every statement is its table's owner's ({@link EventTable},
 * {@link WebhookTable}, {@link WebhookDeliveries}, {@link MailDeliveries}), run through the session
 * of the caller's Hibernate Reactive transaction, so that the rows and the NOTIFY commit or roll
 * back with the change that caused them.
 */
@ApplicationScoped
public class EventLog {

    /**
     * The NOTIFY channel: one per schema, so that services on other schemas of the same database
     * (a staging copy, the test suite) don't wake each other.
     */
    public static String channel(AssConfig config) {
        return "ass_events_" + config.db().schema();
    }

    /** The events mailed to those who decide the request. */
    static final List<String> TO_APPROVERS = List.of(EventType.REQUESTED, EventType.REMINDER, EventType.ESCALATED);

    private final Clock clock;
    private final ObjectMapper json;
    private final AssConfig config;
    private final MailComposer mail;

    public EventLog(Clock clock, ObjectMapper json, AssConfig config, MailComposer mail) {
        this.clock = clock;
        this.json = json;
        this.config = config;
        this.mail = mail;
    }

    /** Must run inside a reactive transaction; its statements go through that transaction's session. */
    public Uni<Void> publish(Notice notice) {
        Instant now = clock.instant();
        String id = Ids.next("evt");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", notice.type());
        payload.putAll(notice.payload());
        payload.put("timestamp", now.truncatedTo(ChronoUnit.SECONDS).toString());
        payload.put("event_id", id);
        String text = write(payload);
        String orderingKey = notice.approvalRequestId() == null ? id : notice.approvalRequestId();
        return Panache.getSession().flatMap(s -> webhookTargets(s, notice).flatMap(webhooks -> mailRecipients(s, notice)
                .flatMap(recipients -> {
                    MailComposer.Message message = recipients.isEmpty() ? null : mail.compose(notice.type(), payload);
                    return EventTable.lockWriters(s)
                            .chain(() -> EventTable.insert(s, id, notice, text, now))
                            .call(seq -> WebhookDeliveries.insert(s, seq, orderingKey, webhooks, now))
                            .call(seq -> MailDeliveries.insert(s, seq, message, recipients, now))
                            .chain(seq -> EventTable.notify(s, channel(config), seq));
                })));
    }

    /** The webhooks that receive the event, locked so that none is deleted before the outbox rows are in. */
    private static Uni<List<String>> webhookTargets(Mutiny.Session s, Notice notice) {
        return WebhookTable.receiving(s, notice).flatMap(ids -> WebhookTable.lockAgainstDelete(s, ids));
    }

    /**
     * Approvers hear of new requests, reminders and escalations (those who decide the request then:
     * after an escalation, its escalation approvers too); the requester hears how its request ended.
     */
    private Uni<Set<String>> mailRecipients(Mutiny.Session s, Notice notice) {
        if (!config.mail().enabled()) {
            return Uni.createFrom().item(Set.of());
        }
        if (TO_APPROVERS.contains(notice.type())) {
            return MailDeliveries.approverEmails(s, notice.namespace(), notice.requesterId(), notice.approvalRequestId())
                    .map(found -> {
                        Set<String> all = new LinkedHashSet<>(found);
                        config.mail().extraRecipients().ifPresent(all::addAll);
                        return all;
                    });
        }
        if (MailComposer.OUTCOMES.contains(notice.type()) && notice.requesterId() != null) {
            return MailDeliveries.requesterEmail(s, notice.requesterId());
        }
        return Uni.createFrom().item(Set.of());
    }

    private String write(Map<String, Object> payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("event payload not serializable", ex);
        }
    }
}
