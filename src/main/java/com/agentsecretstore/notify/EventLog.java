package com.agentsecretstore.notify;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.principal.PrincipalTable;
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
 */
@ApplicationScoped
public class EventLog {

    /** Serializes event writers so that seq order is commit order (see V4__notifications.sql). */
    static final long EVENT_LOCK = 7364100L;

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

    /** Must run inside a reactive transaction. */
    public Uni<Event> publish(Notice notice) {
        Instant now = clock.instant();
        Event e = new Event();
        e.id = Ids.next("evt");
        e.type = notice.type();
        e.approvalRequestId = notice.approvalRequestId();
        e.namespace = notice.namespace();
        e.requesterId = notice.requesterId();
        e.createdAt = now;
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", notice.type());
        payload.putAll(notice.payload());
        payload.put("timestamp", now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        payload.put("event_id", e.id);
        e.payload = write(payload);
        return webhookTargets(e).flatMap(webhooks -> mailRecipients(e).flatMap(recipients -> Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select pg_advisory_xact_lock(" + EVENT_LOCK + ")").getSingleResult())
                .chain(() -> e.persist())
                .chain(() -> Panache.getSession().flatMap(s -> s.flush()))
                .chain(() -> deliveries(e, webhooks, now))
                .chain(() -> emails(e, recipients, payload, now))
                .chain(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("select pg_notify(:channel, :seq)")
                        .setParameter("channel", channel(config))
                        .setParameter("seq", String.valueOf(e.seq))
                        .getSingleResult()))))
                .replaceWith(e);
    }

    /** The webhooks that receive the event, locked so that none is deleted before the outbox rows are in. */
    private Uni<List<String>> webhookTargets(Event e) {
        return receivingWebhooks(e).flatMap(ids -> ids.isEmpty() ? Uni.createFrom().item(ids)
                : Panache.getSession().flatMap(s -> s.createNativeQuery(
                        "select id from webhook where id in (:ids) order by id for key share", String.class)
                        .setParameter("ids", ids).getResultList()));
    }

    private Uni<List<String>> receivingWebhooks(Event e) {
        return Panache.getSession()
                // A webhook receives what its owner may see (the access model's rule).
                .flatMap(s -> s.createNativeQuery("select w.id from webhook w join principal p on p.id = w.created_by "
                        + "where w.disabled_at is null and :type = any(w.events) and "
                        + AccessModel.seeSql("p", ":ns", ":requester", ":request"), String.class)
                        .setParameter("type", e.type)
                        .setParameter("request", e.approvalRequestId == null ? "" : e.approvalRequestId)
                        .setParameter("requester", e.requesterId == null ? "" : e.requesterId)
                        .setParameter("ns", e.namespace == null ? "" : e.namespace)
                        .getResultList());
    }

    private Uni<Void> deliveries(Event e, List<String> ids, Instant now) {
        List<WebhookDelivery> rows = new ArrayList<>();
        for (String webhookId : ids) {
            WebhookDelivery d = new WebhookDelivery();
            d.id = Ids.next("whd");
            d.webhookId = webhookId;
            d.eventSeq = e.seq;
            d.orderingKey = e.approvalRequestId == null ? e.id : e.approvalRequestId;
            d.status = DeliveryState.PENDING.wire();
            d.attempts = 0;
            d.nextAttemptAt = now;
            d.createdAt = now;
            rows.add(d);
        }
        return rows.isEmpty() ? Uni.createFrom().voidItem() : WebhookDelivery.persist(rows);
    }

    /**
     * Approvers hear of new requests, reminders and escalations (those who decide the request then:
     * after an escalation, its escalation approvers too); the requester hears how its request ended.
     */
    private Uni<Set<String>> mailRecipients(Event e) {
        if (!config.mail().enabled()) {
            return Uni.createFrom().item(Set.of());
        }
        Uni<Set<String>> recipients;
        if (TO_APPROVERS.contains(e.type)) {
            recipients = approverEmails(e.namespace, e.requesterId, e.approvalRequestId).map(found -> {
                Set<String> all = new LinkedHashSet<>(found);
                config.mail().extraRecipients().ifPresent(all::addAll);
                return all;
            });
        } else if (MailComposer.OUTCOMES.contains(e.type) && e.requesterId != null) {
            recipients = PrincipalTable.byId(e.requesterId)
                    .map(p -> p == null || p.email == null ? Set.<String>of() : Set.of(p.email));
        } else {
            recipients = Uni.createFrom().item(Set.of());
        }
        return recipients;
    }

    private Uni<Void> emails(Event e, Set<String> to, Map<String, Object> payload, Instant now) {
        if (to.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        MailComposer.Message m = mail.compose(e.type, payload);
        List<MailDelivery> rows = new ArrayList<>();
        for (String recipient : to) {
            MailDelivery d = new MailDelivery();
            d.id = Ids.next("mld");
            d.eventSeq = e.seq;
            d.recipient = recipient;
            d.subject = m.subject();
            d.body = m.body();
            d.status = DeliveryState.PENDING.wire();
            d.attempts = 0;
            d.nextAttemptAt = now;
            d.createdAt = now;
            rows.add(d);
        }
        return MailDelivery.persist(rows);
    }

    /** Those who may decide the request (the access model's rule) and have an email. */
    private Uni<Set<String>> approverEmails(String namespace, String requesterId, String requestId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("select p.email from principal p where p.email is not null and "
                + AccessModel.decideSql("p", ":ns", ":requester", ":request") + " order by p.id", String.class)
                .setParameter("ns", namespace)
                .setParameter("request", requestId == null ? "" : requestId)
                .setParameter("requester", requesterId == null ? "" : requesterId)
                .getResultList())
                .map(found -> (Set<String>) new LinkedHashSet<>(found));
    }

    private String write(Map<String, Object> payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("event payload not serializable", ex);
        }
    }
}
