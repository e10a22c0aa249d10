package com.agentsecretstore.ops;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The read-only SQL behind the operational metrics. It reads other features' tables but never
 * their classes, and only through the indexes they already have (the partial "open" and "due"
 * indexes, the audit chain's {@code (xid, id)} index, the event sequence), so a run stays cheap as
 * the tables grow.
 */
@ApplicationScoped
class OpsQueries {

    /** $1: now (the service clock). */
    static final String BACKLOG = """
            with open_request as (
                select status, created_at, issue_at from approval_request where status in ('pending', 'delayed')
            ), webhook_open as (
                select created_at from webhook_delivery where status in ('pending', 'sending')
            ), mail_open as (
                select created_at from mail_delivery where status in ('pending', 'sending')
            ), seal_head as (
                -- archived seals may all be gone (audit.AuditArchiver): the newest archive then holds the head
                select last_xid, last_id from (select seq, last_xid, last_id from audit_seal
                    union all select last_seal, last_xid, last_id from audit_archive) s order by seq desc limit 1
            ), head as (
                select last_xid, last_id from seal_head
                union all select '0'::xid8, ''::text collate "C" where not exists (select 1 from seal_head)
            ), unsealed as (
                select e.recorded_at from audit_entry e, head h where (e.xid, e.id) > (h.last_xid, h.last_id)
                order by e.xid, e.id limit 100000
            )
            select
                (select count(*) from open_request where status = 'pending') as pending,
                (select count(*) from open_request where status = 'delayed') as delayed,
                (select extract(epoch from $1::timestamptz - min(created_at))::float8 from open_request
                    where status = 'pending') as oldest_pending_age,
                (select extract(epoch from $1::timestamptz - min(issue_at))::float8 from open_request
                    where status = 'delayed' and issue_at <= $1::timestamptz) as issuance_lateness,
                (select count(*) from webhook_open) as webhook_backlog,
                (select extract(epoch from $1::timestamptz - min(created_at))::float8 from webhook_open) as webhook_oldest_age,
                (select count(*) from mail_open) as mail_backlog,
                (select extract(epoch from $1::timestamptz - min(created_at))::float8 from mail_open) as mail_oldest_age,
                (select count(*) from unsealed) as audit_unsealed,
                (select extract(epoch from $1::timestamptz - min(recorded_at))::float8 from unsealed) as audit_sealing_lag
            """;

    static final String LAST_EVENT = "select coalesce(max(seq), 0) as seq from event";

    /** $1: the last event seen, $2: the event types wanted, $3: batch size. Event order is commit order. */
    static final String ENDINGS = """
            select e.seq, e.type, e.created_at, r.created_at as requested_at, r.issue_at
            from event e join approval_request r on r.id = e.approval_request_id
            where e.seq > $1 and e.type = any($2)
            order by e.seq limit $3
            """;

    static final int ENDINGS_BATCH = 1000;

    private static final String[] ENDING_TYPES = Stream.concat(Arrays.stream(Outcome.values()).map(o -> o.eventType),
            Stream.of(Outcome.TOKEN_ISSUED)).toArray(String[]::new);

    private final Pool pool;

    OpsQueries(Pool pool) {
        this.pool = pool;
    }

    Uni<Backlog> backlog(Instant now) {
        return pool.preparedQuery(BACKLOG).execute(Tuple.of(OffsetDateTime.ofInstant(now, ZoneOffset.UTC)))
                .map(rows -> Backlog.of(rows.iterator().next()));
    }

    Uni<Long> lastEvent() {
        return pool.query(LAST_EVENT).execute().map(rows -> rows.iterator().next().getLong("seq"));
    }

    /** The next lifecycle endings after {@code afterSeq}, oldest first, at most {@link #ENDINGS_BATCH}. */
    Uni<List<Ending>> endingsAfter(long afterSeq) {
        return pool.preparedQuery(ENDINGS).execute(Tuple.of(afterSeq, ENDING_TYPES, ENDINGS_BATCH)).map(rows -> {
            List<Ending> out = new ArrayList<>(rows.size());
            for (Row row : rows) {
                out.add(Ending.of(row));
            }
            return out;
        });
    }

    /** A decision or an issuance, with the times of the request it belongs to. */
    record Ending(long seq, String type, Instant at, Instant requestedAt, Instant issueAt) {
        static Ending of(Row row) {
            OffsetDateTime issueAt = row.getOffsetDateTime("issue_at");
            return new Ending(row.getLong("seq"), row.getString("type"), row.getOffsetDateTime("created_at").toInstant(),
                    row.getOffsetDateTime("requested_at").toInstant(), issueAt == null ? null : issueAt.toInstant());
        }
    }
}
