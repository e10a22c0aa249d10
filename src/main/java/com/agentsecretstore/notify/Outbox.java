package com.agentsecretstore.notify;

import com.agentsecretstore.common.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The outbox mechanism every channel (webhooks, mail) shares, written once: rows are claimed in a
 * short transaction ({@code FOR UPDATE SKIP LOCKED}, status {@code sending} with a lease, the
 * attempt counted), each sent outside any transaction by the channel's {@link Sender}, and its
 * outcome recorded on its own by the one retry and give-up rule ({@link Outcome}). Replicas claim
 * disjoint rows; a replica that dies mid-send leaves a lease that runs out, and the row is claimed
 * again. At shutdown the rows in flight are handed back at once ({@link OutboxLoop#stop}).
 *
 * @param <T> what a send needs of a row (see {@link OutboxTable})
 */
final class Outbox<T> {

    /** Sends one claimed row; the outbox records what it came to. */
    interface Sender<T> {
        /** One attempt; a failed Uni counts as a failed attempt, described by {@link #describe}. */
        Uni<Attempt> send(String id, T row);

        /** The stored error of an attempt that failed with this exception (no secrets, no bodies). */
        String describe(Throwable failure);
    }

    /**
     * A channel's own settings.
     *
     * @param name        for logs
     * @param concurrency sends in flight at once, per replica
     * @param batch       rows claimed at most at once
     * @param lease       how long a claimed row stays with its sender; an attempt still running 10 s
     *                    before it ends is cut off and counted as failed, so a live sender records
     *                    before anyone may reclaim the row
     */
    record Settings(String name, int concurrency, int batch, Duration lease, RetrySchedule schedule) {
    }

    /** How long before its lease ends an attempt is cut off at the latest (time to record it). */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(10);

    private final OutboxTable<T> table;
    private final Sender<T> sender;
    private final Settings settings;
    private final Pool pool;
    private final Clock clock;
    private final OutboxLoop loop;
    private final Duration attemptCap;

    Outbox(OutboxTable<T> table, Sender<T> sender, Settings settings, Pool pool, Clock clock) {
        this.table = table;
        this.sender = sender;
        this.settings = settings;
        this.pool = pool;
        this.clock = clock;
        this.loop = new OutboxLoop(settings.name(), settings.concurrency(), this::claim, this::release);
        Duration cap = settings.lease().minus(LEASE_MARGIN);
        this.attemptCap = cap.isNegative() || cap.isZero() ? settings.lease() : cap;
    }

    void wake() {
        loop.wake();
    }

    /** For the scheduled poll. */
    Uni<Void> tick() {
        return loop.tick();
    }

    /** Shutdown: no more claims; rows in flight are abandoned and handed back, due now. */
    Uni<Void> stop() {
        return loop.stop();
    }

    /** Claims at most {@code max} due rows; one send each, for the loop to start. */
    Uni<List<OutboxLoop.Send>> claim(int max) {
        Instant now = clock.instant();
        return Transactions.sql(pool, c -> c.preparedQuery(table.claim())
                .execute(Tuple.of(at(now), at(now.plus(settings.lease())), Math.min(max, settings.batch()))))
                .flatMap(claimed -> {
                    List<String> ids = new ArrayList<>();
                    claimed.forEach(r -> ids.add(r.getString("id")));
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(List.<OutboxLoop.Send>of());
                    }
                    return pool.preparedQuery(table.load()).execute(Tuple.of(ids.toArray(String[]::new))).map(rows -> {
                        List<OutboxLoop.Send> sends = new ArrayList<>();
                        rows.forEach(row -> {
                            String id = row.getString("id");
                            int attempts = row.getInteger("attempts");
                            T content = table.map(row);
                            sends.add(new OutboxLoop.Send(id, Uni.createFrom().deferred(() -> send(id, attempts, content))));
                        });
                        return sends;
                    });
                });
    }

    Uni<Void> release(List<String> ids) {
        return pool.preparedQuery(table.release()).execute(Tuple.of(ids.toArray(String[]::new), at(clock.instant())))
                .replaceWithVoid();
    }

    private Uni<Void> send(String id, int attempts, T content) {
        Uni<Attempt> attempt;
        try {
            attempt = sender.send(id, content);
        } catch (RuntimeException e) {
            attempt = Uni.createFrom().failure(e);
        }
        // A channel may have its own, shorter deadline (webhooks do); this one keeps the lease's promise for all.
        return attempt.ifNoItem().after(attemptCap).failWith(TimeoutException::new)
                .onFailure().recoverWithItem(e -> Attempt.failed(null, sender.describe(e), null))
                .flatMap(a -> record(id, Outcome.after(a, attempts, settings.schedule(), clock.instant()), attempts));
    }

    private Uni<Void> record(String id, Outcome outcome, int attempts) {
        if (outcome.gaveUp()) {
            Log.warnf("%s: delivery %s failed for good after %d attempt(s): %s", settings.name(), id, attempts, outcome.error());
        }
        List<Object> params = new ArrayList<>(List.of(id, outcome.state().wire()));
        params.add(outcome.error());
        params.add(outcome.next() == null ? null : at(outcome.next()));
        params.add(at(clock.instant()));
        if (table.keepsStatusCode()) {
            params.add(outcome.code());
        }
        return pool.preparedQuery(table.record()).execute(Tuple.from(params)).replaceWithVoid();
    }

    /** An instant as the SQL client binds a {@code timestamptz}. */
    static OffsetDateTime at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A {@code timestamptz} column as an instant, or null. */
    static Instant instant(Row row, String column) {
        OffsetDateTime at = row.getOffsetDateTime(column);
        return at == null ? null : at.toInstant();
    }
}
