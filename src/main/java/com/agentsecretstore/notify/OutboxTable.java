package com.agentsecretstore.notify;

import java.util.function.Function;

import io.vertx.mutiny.sqlclient.Row;

/**
 * One outbox table as {@link Outbox} uses it: the statements of the shared scheme, written here
 * once for every table, and what differs per table (a claim guard, the load query, the columns). A
 * channel's table class ({@link WebhookDeliveries}, {@link MailDeliveries}) builds its descriptor
 * with {@link #of} and keeps every other statement on that table next to it.
 *
 * <p>Every outbox table has {@code id}, {@code event_seq}, {@code status} ({@link DeliveryState}),
 * {@code attempts}, {@code next_attempt_at}, {@code locked_until}, {@code last_error} and
 * {@code delivered_at}; {@code last_status_code} when {@link #keepsStatusCode}.
 *
 * @param <T> what a send needs of a claimed row, read by {@link #mapper} from a row of {@link #load}
 */
final class OutboxTable<T> {

    private final String table;
    private final String claim;
    private final String load;
    private final String record;
    private final String release;
    private final boolean keepsStatusCode;
    private final Function<Row, T> mapper;

    private OutboxTable(String table, String claim, String load, String record, String release, boolean keepsStatusCode,
            Function<Row, T> mapper) {
        this.table = table;
        this.claim = claim;
        this.load = load;
        this.record = record;
        this.release = release;
        this.keepsStatusCode = keepsStatusCode;
        this.mapper = mapper;
    }

    /**
     * @param table           the table's name
     * @param claimGuard      more conditions a due row ({@code d}) must meet to be claimed, as
     *                        {@code and ...}, or empty
     * @param load            the claimed rows ({@code $1}: their ids) in {@code event_seq} order, with
     *                        at least {@code id} and {@code attempts} and what {@code mapper} reads
     * @param keepsStatusCode whether the table records the receiver's status code
     */
    static <T> OutboxTable<T> of(String table, String claimGuard, String load, boolean keepsStatusCode,
            Function<Row, T> mapper) {
        // Due: pending and its time has come, or claimed by a sender whose lease ran out (it died,
        // or lost its connection before recording). The claim counts the attempt up front, so a
        // sender that dies mid-send still uses one up. Longest due first: a failed attempt moves its
        // row behind those due before its retry time, so receivers that keep failing never starve
        // fresh deliveries to others (order within one receiver's stream is the guard's job).
        String claim = """
                with due as (
                  select d.id from %1$s d
                  where ((d.status = 'pending' and d.next_attempt_at <= $1) or (d.status = 'sending' and d.locked_until < $1))
                    %2$s
                  order by d.next_attempt_at, d.event_seq
                  limit $3
                  for update skip locked)
                update %1$s d set status = 'sending', locked_until = $2, attempts = d.attempts + 1
                from due where d.id = due.id
                returning d.id""".formatted(table, claimGuard);
        String record = "update " + table + " set status = $2, last_error = $3, next_attempt_at = coalesce($4, next_attempt_at), "
                + "locked_until = null, delivered_at = case when $2 = 'delivered' then $5 else delivered_at end"
                + (keepsStatusCode ? ", last_status_code = $6" : "") + " where id = $1";
        // The attempt that was cut short is not counted: the receiver may never have seen it. Rows
        // whose outcome was recorded meanwhile are left alone.
        String release = "update " + table + " set status = 'pending', locked_until = null, "
                + "attempts = greatest(attempts - 1, 0), next_attempt_at = $2 where id = any($1) and status = 'sending'";
        return new OutboxTable<>(table, claim, load, record, release, keepsStatusCode, mapper);
    }

    String table() {
        return table;
    }

    /** Claims due rows: {@code $1} now, {@code $2} the lease's end, {@code $3} how many at most; returns their ids. */
    String claim() {
        return claim;
    }

    /** The claimed rows' content ({@code $1}: their ids). */
    String load() {
        return load;
    }

    /**
     * Records an attempt's outcome: {@code $1} id, {@code $2} state, {@code $3} error, {@code $4} next
     * attempt (null keeps it), {@code $5} now, {@code $6} status code when {@link #keepsStatusCode}.
     */
    String record() {
        return record;
    }

    /** Hands claimed rows ({@code $1}: their ids) back as due at {@code $2}. */
    String release() {
        return release;
    }

    boolean keepsStatusCode() {
        return keepsStatusCode;
    }

    T map(Row row) {
        return mapper.apply(row);
    }
}
