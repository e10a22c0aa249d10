package com.agentsecretstore.notify;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Runs one sender's drain loop at a time on this replica: a wake-up during a run makes the run go
 * round once more instead of starting a second one.
 */
final class OutboxLoop {

    private final String name;
    private final Supplier<Uni<Integer>> batch;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    OutboxLoop(String name, Supplier<Uni<Integer>> batch) {
        this.name = name;
        this.batch = batch;
    }

    void wake() {
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        batch.get().subscribe().with(n -> {
            running.set(false);
            if (n > 0 || again.getAndSet(false)) {
                wake();
            }
        }, e -> {
            running.set(false);
            Log.warnf(e, "%s: a batch failed; the next poll retries", name);
        });
    }

    /** For the scheduled poll: completes when this round is done. */
    Uni<Void> tick() {
        wake();
        return Uni.createFrom().voidItem();
    }
}
