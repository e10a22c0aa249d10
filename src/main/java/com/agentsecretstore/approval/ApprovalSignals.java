package com.agentsecretstore.approval;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Wakes long-polls of a request on this replica when its state changes here. Waiters on other
 * replicas notice by re-reading the row at least once a second, so nothing depends on a signal
 * arriving. No thread waits: a waiter is a timer and a callback.
 */
@ApplicationScoped
public class ApprovalSignals {

    private final Map<String, List<Runnable>> waiters = new ConcurrentHashMap<>();

    /** Fires all current waiters of the request. Call after the change is committed. */
    public void changed(String requestId) {
        List<Runnable> ready = waiters.remove(requestId);
        if (ready != null) {
            ready.forEach(Runnable::run);
        }
    }

    /**
     * Completes when the request changes on this replica or after {@code max}, whichever is first,
     * on the caller's own Vert.x context (so the caller's reactive session stays its own).
     */
    public Uni<Void> nextChange(String requestId, Duration max) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> {
            Runnable wake = () -> context.runOnContext(v -> emitter.complete(null));
            long timer = context.owner().setTimer(Math.max(1, max.toMillis()), id -> wake.run());
            List<Runnable> list = waiters.computeIfAbsent(requestId, k -> new CopyOnWriteArrayList<>());
            list.add(wake);
            emitter.onTermination(() -> {
                context.owner().cancelTimer(timer);
                List<Runnable> current = waiters.get(requestId);
                if (current != null) {
                    current.remove(wake);
                }
            });
        });
    }
}
