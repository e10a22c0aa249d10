package com.agentsecretstore.notify;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.hibernate.reactive.mutiny.Mutiny;

import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.common.Ids;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the email outbox table {@code mail_delivery}: every statement on it, in plain SQL. The shared
 * {@link Outbox}'s descriptor, the emails an event causes (who receives them, read from
 * {@code principal} by the access model's rule, and their insert, both through the session of the
 * transaction that publishes the event, see {@link EventLog}), and retention.
 */
final class MailDeliveries {

    /** What a send needs of a claimed email. */
    record Job(String recipient, String subject, String body) {
    }

    static final String LOAD = """
            select d.id, d.attempts, d.recipient, d.subject, d.body
            from mail_delivery d where d.id = any($1) order by d.event_seq""";

    static final OutboxTable<Job> TABLE = OutboxTable.of("mail_delivery", "", LOAD, false, MailDeliveries::job);

    /** One pending email per recipient, due now (named parameters: the session's). */
    static final String INSERT = """
            insert into mail_delivery (id, event_seq, recipient, subject, body, status, attempts, next_attempt_at, created_at)
            select d.id, :seq, d.recipient, :subject, :body, 'pending', 0, :now, :now
            from unnest(cast(:ids as text[]), cast(:recipients as text[])) as d(id, recipient)""";

    /** Those who may decide a request (the access model's rule) and have an email. */
    static final String APPROVER_EMAILS = "select p.email from principal p where p.email is not null and "
            + AccessModel.decideSql("p", ":ns", ":requester", ":request") + " order by p.id";

    static final String REQUESTER_EMAIL = "select p.email from principal p where p.id = :id and p.email is not null";

    /**
     * Retention: deletes up to $2 finished rows created before $1. Rows another replica is deleting
     * are skipped, not waited for.
     */
    static final String PRUNE = "delete from mail_delivery where ctid in (select ctid from mail_delivery "
            + "where status in ('delivered', 'failed') and created_at < $1 limit $2 for update skip locked)";

    private MailDeliveries() {
    }

    /** The emails of those who may decide the request, in principal order. */
    static Uni<Set<String>> approverEmails(Mutiny.Session session, String namespace, String requesterId, String requestId) {
        return session.createNativeQuery(APPROVER_EMAILS, String.class)
                .setParameter("ns", namespace)
                .setParameter("request", requestId == null ? "" : requestId)
                .setParameter("requester", requesterId == null ? "" : requesterId)
                .getResultList()
                .map(found -> new LinkedHashSet<>(found));
    }

    /** The requester's email, if it has one. */
    static Uni<Set<String>> requesterEmail(Mutiny.Session session, String requesterId) {
        return session.createNativeQuery(REQUESTER_EMAIL, String.class).setParameter("id", requesterId).getResultList()
                .map(Set::copyOf);
    }

    /** One pending email of the event per recipient, inside the publishing transaction. */
    static Uni<Void> insert(Mutiny.Session session, long eventSeq, MailComposer.Message message, Set<String> recipients,
            Instant now) {
        if (recipients.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> to = List.copyOf(recipients);
        return session.createNativeQuery(INSERT)
                .setParameter("seq", eventSeq)
                .setParameter("subject", message.subject())
                .setParameter("body", message.body())
                .setParameter("now", now)
                .setParameter("ids", to.stream().map(r -> Ids.next("mld")).toArray(String[]::new))
                .setParameter("recipients", to.toArray(String[]::new))
                .executeUpdate().replaceWithVoid();
    }

    /** Retention: one batch; the rows deleted. */
    static Uni<Integer> prune(SqlClient client, OffsetDateTime before, int limit) {
        return client.preparedQuery(PRUNE).execute(Tuple.of(before, limit)).map(RowSet::rowCount);
    }

    private static Job job(Row row) {
        return new Job(row.getString("recipient"), row.getString("subject"), row.getString("body"));
    }
}
