package com.agentsecretstore.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * One sender's drain loop on this replica. It claims no more rows than it has free slots, starts
 * each claimed send on its own, and claims again whenever a send ends: a slow receiver holds one
 * slot until its own deadline, never a whole batch. A wake-up while a claim is running makes the
 * loop go round once more instead of starting a second claim.
 */
final class OutboxLoop {

    /** A claim that has not answered by then is given up (its rows' leases run out and they are claimed again). */
    private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final int slots;
    private final IntFunction<Uni<List<Uni<Void>>>> claim;
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param slots sends in flight at once
     * @param claim claims at most the given number of due rows and returns one send per row; the
     *              sends are started by the loop, each must record its own outcome
     */
    OutboxLoop(String name, int slots, IntFunction<Uni<List<Uni<Void>>>> claim) {
        this.name = name;
        this.slots = Math.max(1, slots);
        this.claim = claim;
    }

    void wake() {
        if (!claiming.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        int free = slots - inFlight.get();
        if (free <= 0) {
            // Every slot is busy; the next send to end wakes the loop.
            release();
            return;
        }
        Uni<List<Uni<Void>>> claimed;
        try {
            claimed = claim.apply(free);
        } catch (RuntimeException e) {
            claimed = Uni.createFrom().failure(e);
        }
        claimed.ifNoItem().after(CLAIM_TIMEOUT).fail().subscribe().with(sends -> {
            inFlight.addAndGet(sends.size());
            for (Uni<Void> send : sends) {
                start(send);
            }
            if (sends.size() == free) {
                again.set(true); // perhaps more are due
            }
            release();
        }, e -> {
            Log.warnf(e, "%s: claiming due rows failed; the next poll retries", name);
            release();
        });
    }

    /** Sends in flight now (for tests and metrics). */
    int inFlight() {
        return inFlight.get();
    }

    /** For the scheduled poll. */
    Uni<Void> tick() {
        wake();
        return Uni.createFrom().voidItem();
    }

    private void start(Uni<Void> send) {
        send.subscribe().with(ok -> ended(), e -> {
            Log.warnf(e, "%s: a send failed without recording its outcome; its lease will run out", name);
            ended();
        });
    }

    private void ended() {
        inFlight.decrementAndGet();
        wake();
    }

    /** An instant as the SQL client binds a {@code timestamptz} of the outbox tables. */
    static OffsetDateTime at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private void release() {
        claiming.set(false);
        if (again.getAndSet(false)) {
            wake();
        }
    }
}
