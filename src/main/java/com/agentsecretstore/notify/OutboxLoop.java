package com.agentsecretstore.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The drain loop of one {@link Outbox} on this replica. It claims no more rows than it has free
 * slots, starts each claimed send on its own, and claims again whenever a send ends: a slow
 * receiver holds one slot until its own deadline, never a whole batch. A wake-up while a claim is running makes the
 * loop go round once more instead of starting a second claim. At shutdown ({@link #stop}) it claims
 * no more, abandons the sends in flight and hands their rows back at once, so another replica sends
 * them without waiting for the leases to run out.
 */
final class OutboxLoop {

    /** A claimed row and its send; the send must record its own outcome. */
    record Send(String id, Uni<Void> run) {
    }

    /** A claim that has not answered by then is given up (its rows' leases run out and they are claimed again). */
    private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(60);

    /** A send in flight; {@code cancellable} is set once it has been started. */
    private static final class Flight {
        volatile Cancellable cancellable;
    }

    private final String name;
    private final int slots;
    private final IntFunction<Uni<List<Send>>> claim;
    private final Function<List<String>, Uni<Void>> release;
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Flight> flights = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    /**
     * @param slots   sends in flight at once
     * @param claim   claims at most the given number of due rows and returns one send per row; the
     *                sends are started by the loop
     * @param release hands claimed rows whose sends were abandoned back to every replica, at once
     */
    OutboxLoop(String name, int slots, IntFunction<Uni<List<Send>>> claim, Function<List<String>, Uni<Void>> release) {
        this.name = name;
        this.slots = Math.max(1, slots);
        this.claim = claim;
        this.release = release;
    }

    void wake() {
        if (stopped) {
            return;
        }
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
        Uni<List<Send>> claimed;
        try {
            claimed = claim.apply(free);
        } catch (RuntimeException e) {
            claimed = Uni.createFrom().failure(e);
        }
        claimed.ifNoItem().after(CLAIM_TIMEOUT).fail().subscribe().with(sends -> {
            if (stopped) {
                // Claimed while stopping: nobody here will send them.
                giveBack(sends.stream().map(Send::id).toList()).subscribe().with(ok -> { }, e -> { });
                release();
                return;
            }
            inFlight.addAndGet(sends.size());
            for (Send send : sends) {
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

    /**
     * Shutdown: claims no more, cancels the sends in flight (a webhook request is reset) and hands
     * their rows back. A send that recorded its outcome meanwhile keeps it: only rows still being
     * sent are handed back.
     */
    Uni<Void> stop() {
        stopped = true;
        List<String> abandoned = new ArrayList<>();
        flights.forEach((id, flight) -> {
            if (flights.remove(id, flight)) {
                abandoned.add(id);
                Cancellable c = flight.cancellable;
                if (c != null) {
                    c.cancel();
                }
            }
        });
        return giveBack(abandoned);
    }

    private Uni<Void> giveBack(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Log.infof("%s: handing %d claimed row(s) back for other replicas", name, ids.size());
        return release.apply(ids);
    }

    private void start(Send send) {
        Flight flight = new Flight();
        flights.put(send.id(), flight);
        flight.cancellable = send.run().subscribe().with(ok -> ended(send.id(), flight), e -> {
            Log.warnf(e, "%s: a send failed without recording its outcome; its lease will run out", name);
            ended(send.id(), flight);
        });
    }

    private void ended(String id, Flight flight) {
        flights.remove(id, flight);
        inFlight.decrementAndGet();
        wake();
    }

    private void release() {
        claiming.set(false);
        if (again.getAndSet(false)) {
            wake();
        }
    }
}
