package com.agentsecretstore.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Group commit for audit entries that record no change of their own: secret reads, refusals and
 * authentication failures. Each of those must be durable before its answer leaves, but none needs a
 * transaction shared with anything else, so entries that arrive while a write is in flight wait for
 * it and then go together in the next one: one INSERT statement and one commit for the group.
 *
 * <p>Nothing is delayed on purpose: an entry that finds no write in flight is written at once, so
 * at low load this costs what a lone INSERT costs, and under load the commit (the fsync) is shared
 * by everyone who arrived during the previous one. The statement is atomic: if it fails, every entry
 * of the group fails, and so does every request waiting on one; no entry is ever half-written.
 */
@ApplicationScoped
class AuditGroupWriter {

    /** Bounds one statement; a longer queue simply takes several writes. */
    static final int MAX_GROUP = 256;

    private record Waiting(AuditEntry entry, Context context, UniEmitter<? super Void> done) {
    }

    private final Pool pool;
    private final ConcurrentLinkedQueue<Waiting> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    AuditGroupWriter(Pool pool) {
        this.pool = pool;
    }

    /** Completes once the entry is committed, on the Vert.x context of the caller (if it had one). */
    Uni<Void> write(AuditEntry entry) {
        return Uni.createFrom().emitter(done -> {
            queue.add(new Waiting(entry, Vertx.currentContext(), done));
            drain();
        });
    }

    /**
     * Starts a write when none is in flight. Whoever loses the race to start it has left its entry
     * in the queue, and the write in flight calls this again when it ends, so no entry is stranded.
     */
    private void drain() {
        if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
            return;
        }
        List<Waiting> group = new ArrayList<>();
        Waiting next;
        while (group.size() < MAX_GROUP && (next = queue.poll()) != null) {
            group.add(next);
        }
        if (group.isEmpty()) {
            writing.set(false);
            drain();
            return;
        }
        Uni<?> insert;
        try {
            insert = pool.preparedQuery(AuditEntryTable.INSERT).execute(AuditEntryTable.columns(group.stream().map(Waiting::entry).toList()));
        } catch (RuntimeException e) {
            insert = Uni.createFrom().failure(e);
        }
        insert.subscribe().with(rows -> finish(group, null), failure -> finish(group, failure));
    }

    private void finish(List<Waiting> group, Throwable failure) {
        writing.set(false);
        drain();
        for (Waiting w : group) {
            Runnable signal = failure == null ? () -> w.done().complete(null) : () -> w.done().fail(failure);
            if (w.context() == null) {
                signal.run();
            } else {
                // Back on the caller's own event loop, so the request carries on where it started.
                w.context().runOnContext(ignored -> signal.run());
            }
        }
    }
}
