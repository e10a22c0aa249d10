package com.agentsecretstore.notify;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.hibernate.reactive.mutiny.Mutiny;

import com.agentsecretstore.access.AccessModel;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the table {@code event}: every statement on it, in plain SQL. The live feed and retention
 * read and prune it over the SQL client; the writer ({@link EventLog}) runs inside the Hibernate
 * Reactive transaction of the approval change that causes the event, so its statements (the event
 * lock, the insert, the NOTIFY) go through that transaction's session, as native SQL.
 */
final class EventTable {

    /** Serializes event writers so that seq order is commit order (see V4__notifications.sql). */
    static final long EVENT_LOCK = 7364100L;

    static final String LOCK_WRITERS = "select pg_advisory_xact_lock(" + EVENT_LOCK + ")";

    /** Named parameters: the session's. */
    static final String INSERT = "insert into event (id, type, approval_request_id, namespace, requester_id, payload, created_at) "
            + "values (:id, :type, :request, :ns, :requester, :payload, :at) returning seq";

    static final String NOTIFY = "select pg_notify(:channel, :seq)";

    static final String COLUMNS = "seq, id, type, approval_request_id, namespace, requester_id, payload, created_at";

    static final String HEAD = "select coalesce(max(seq), 0) as seq from event";

    // --- Visibility: the access model's SQL, nothing restated here --------------------------------
    /** Replay reads only the events of requests principal {@code $3} may see. */
    static final String VISIBLE_TO_VIEWER = " and exists (select 1 from principal p where p.id = $3 and "
            + AccessModel.seeSql("p", "event.namespace", "event.requester_id", "event.approval_request_id") + ")";
    /** Live events carry who may see them, computed once per event when it is read, not per stream. */
    static final String AUDIENCE = ", array(select p.id from principal p where "
            + AccessModel.seeSql("p", "event.namespace", "event.requester_id", "event.approval_request_id") + ") as audience";

    /** Events after seq {@code $1}, with their audience, at most {@code $2}. */
    static final String LIVE = "select " + COLUMNS + AUDIENCE + " from event where seq > $1 order by seq limit $2";

    /** A page of the events after seq {@code $1} that viewer {@code $3} may see, at most {@code $2}. */
    static final String PAGE = "select " + COLUMNS + " from event where seq > $1" + VISIBLE_TO_VIEWER
            + " order by seq limit $2";

    /**
     * Retention: deletes up to $2 events created before $1 that no outbox row refers to any more
     * (their deliveries are pruned first, on their own schedule). Rows another replica is deleting
     * are skipped, not waited for.
     */
    static final String PRUNE = "delete from event where ctid in (select e.ctid from event e where e.created_at < $1 "
            + "and not exists (select 1 from webhook_delivery d where d.event_seq = e.seq) "
            + "and not exists (select 1 from mail_delivery m where m.event_seq = e.seq) limit $2 for update skip locked)";

    private EventTable() {
    }

    /** Waits for, then holds until the transaction ends, the one lock of event writers. */
    static Uni<Void> lockWriters(Mutiny.Session session) {
        return session.createNativeQuery(LOCK_WRITERS).getSingleResult().replaceWithVoid();
    }

    /** Inserts the event; its seq. */
    static Uni<Long> insert(Mutiny.Session session, String id, Notice notice, String payload, Instant at) {
        return session.createNativeQuery(INSERT, Long.class)
                .setParameter("id", id)
                .setParameter("type", notice.type())
                .setParameter("request", notice.approvalRequestId())
                .setParameter("ns", notice.namespace())
                .setParameter("requester", notice.requesterId())
                .setParameter("payload", payload)
                .setParameter("at", at)
                .getSingleResult();
    }

    /** Tells every replica's live feed (on commit) that event {@code seq} is there. */
    static Uni<Void> notify(Mutiny.Session session, String channel, long seq) {
        return session.createNativeQuery(NOTIFY).setParameter("channel", channel).setParameter("seq", String.valueOf(seq))
                .getSingleResult().replaceWithVoid();
    }

    /** The last event's seq, 0 if none. */
    static Uni<Long> head(SqlClient client) {
        return client.query(HEAD).execute().map(rows -> rows.iterator().next().getLong("seq"));
    }

    /** Up to {@code limit} events after {@code after}, each with its audience. */
    static Uni<List<StoredEvent>> live(SqlClient client, long after, int limit) {
        return client.preparedQuery(LIVE).execute(Tuple.of(after, limit)).map(EventTable::events);
    }

    /** Up to {@code size} events after {@code after} that {@code viewerId} may see, without audience. */
    static Uni<List<StoredEvent>> page(SqlClient client, long after, int size, String viewerId) {
        return client.preparedQuery(PAGE).execute(Tuple.of(after, size, viewerId)).map(EventTable::events);
    }

    /** Retention: one batch; the rows deleted. */
    static Uni<Integer> prune(SqlClient client, OffsetDateTime before, int limit) {
        return client.preparedQuery(PRUNE).execute(Tuple.of(before, limit)).map(RowSet::rowCount);
    }

    private static List<StoredEvent> events(RowSet<Row> rows) {
        List<StoredEvent> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            events.add(StoredEvent.from(row));
        }
        return events;
    }
}
