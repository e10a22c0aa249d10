package com.agentsecretstore.audit;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

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

    static final String INSERT = "insert into audit_entry (id, recorded_at, action, outcome, actor_id, actor_name, "
            + "actor_role, namespace, path, target_id, source_ip, details) "
            + "select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], "
            + "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])";

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
            insert = pool.preparedQuery(INSERT).execute(columns(group.stream().map(Waiting::entry).toList()));
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

    /** The parameters of {@link #INSERT} for these entries. */
    static Tuple columns(List<AuditEntry> group) {
        int n = group.size();
        String[] id = new String[n], action = new String[n], outcome = new String[n], actorId = new String[n],
                actorName = new String[n], actorRole = new String[n], namespace = new String[n], path = new String[n],
                targetId = new String[n], sourceIp = new String[n], details = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            AuditEntry e = group.get(i);
            id[i] = e.id;
            at[i] = e.recordedAt.atOffset(ZoneOffset.UTC);
            action[i] = e.action;
            outcome[i] = e.outcome;
            actorId[i] = e.actorId;
            actorName[i] = e.actorName;
            actorRole[i] = e.actorRole;
            namespace[i] = e.namespace;
            path[i] = e.path;
            targetId[i] = e.targetId;
            sourceIp[i] = e.sourceIp;
            details[i] = e.details;
        }
        return Tuple.from(Arrays.asList(id, at, action, outcome, actorId, actorName, actorRole, namespace, path, targetId,
                sourceIp, details));
    }
}
