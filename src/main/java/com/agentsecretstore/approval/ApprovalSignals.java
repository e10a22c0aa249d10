package com.agentsecretstore.approval;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.ConcurrencyLimit;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.auth.CredentialWatch;

import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Wakes long-polls when their request changes. {@link #changed} is called for every committed
 * change: by this replica right after its own commit, and by the event feed for every event it
 * reads, which on every replica follows the NOTIFY of the writer's commit. So a waiter wakes on a
 * change made anywhere, and re-reads its request only then or after a slow safety-net interval.
 * No thread waits: a waiter is a timer and a callback. This class also bounds long-polls per
 * principal and ends them when their key is revoked.
 */
@ApplicationScoped
public class ApprovalSignals {

    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final AtomicLong rereads = new AtomicLong();
    private final ConcurrencyLimit limit;
    private final CredentialWatch credentials;
    private volatile boolean draining;

    public ApprovalSignals(AssConfig config, CredentialWatch credentials) {
        this.credentials = credentials;
        this.limit = new ConcurrencyLimit(() -> config.approvals().maxWaitsPerPrincipal(), "open long-polls");
    }

    /** Fires all current waiters of the request. Call after the change is committed. */
    public void changed(String requestId) {
        Set<Waiter> ready = waiters.get(requestId);
        if (ready != null) {
            ready.forEach(Waiter::wake);
        }
    }

    /**
     * This replica is shutting down: every long-poll is woken now, and from here on none waits
     * ({@link #draining}), so each answers at once with its request's current state.
     */
    public void drain() {
        draining = true;
        waiters.values().forEach(set -> set.forEach(Waiter::wake));
    }

    /** Whether long-polls must answer at once because this replica is shutting down. */
    public boolean draining() {
        return draining;
    }

    /**
     * Starts a long-poll of the request: takes one of the caller's slots (429 when none is left) and
     * starts listening before the caller first reads the request, so a change between that read and
     * the first {@link Waiter#next} is not missed. Close the waiter when the poll ends.
     */
    public Waiter open(Caller caller, String requestId) {
        ConcurrencyLimit.Permit permit = limit.acquire(caller.id());
        Waiter w = new Waiter(requestId, permit);
        waiters.compute(requestId, (k, set) -> {
            Set<Waiter> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(w);
            return s;
        });
        w.registration = credentials.watch(caller, lapse -> {
            if (lapse == CredentialWatch.Lapse.REVOKED) {
                w.revoke();
            }
        });
        return w;
    }

    /** How many times long-polls on this replica were let go to re-read their request, in total. */
    public long rereads() {
        return rereads.get();
    }

    /** Long-polls the principal holds open on this replica now. */
    public int waiting(String principalId) {
        return limit.held(principalId);
    }

    /** One long-poll's subscription to changes of its request. */
    public final class Waiter {
        private final String requestId;
        private final ConcurrencyLimit.Permit permit;
        private volatile CredentialWatch.Registration registration;
        private boolean changed;
        private boolean revoked;
        private UniEmitter<? super Void> pending;
        private Context context;

        private Waiter(String requestId, ConcurrencyLimit.Permit permit) {
            this.requestId = requestId;
            this.permit = permit;
        }

        /**
         * Completes when the request changed since the previous call (or since {@link #open}), or
         * after {@code max}, whichever is first, on the caller's own Vert.x context (so the caller's
         * reactive session stays its own). Fails with 401 once the caller's key is revoked.
         */
        public Uni<Void> next(Duration max) {
            return Uni.createFrom().<Void>emitter(emitter -> {
                Context ctx = Vertx.currentContext();
                synchronized (this) {
                    if (revoked) {
                        emitter.fail(new UnauthorizedException("The API key was revoked"));
                        return;
                    }
                    if (changed) {
                        changed = false;
                        emitter.complete(null);
                        return;
                    }
                    pending = emitter;
                    context = ctx;
                }
                long timer = ctx == null ? -1 : ctx.owner().setTimer(Math.max(1, max.toMillis()), id -> fire(emitter, null));
                emitter.onTermination(() -> {
                    if (timer >= 0) {
                        ctx.owner().cancelTimer(timer);
                    }
                    synchronized (this) {
                        if (pending == emitter) {
                            pending = null;
                        }
                    }
                });
            }).invoke(() -> rereads.incrementAndGet());
        }

        /** Ends the long-poll: stops listening and gives back the caller's slot. */
        public void close() {
            waiters.computeIfPresent(requestId, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
            CredentialWatch.Registration r = registration;
            if (r != null) {
                r.cancel();
            }
            permit.release();
        }

        void wake() {
            UniEmitter<? super Void> e;
            synchronized (this) {
                e = pending;
                pending = null;
                if (e == null) {
                    changed = true;
                    return;
                }
            }
            fire(e, null);
        }

        void revoke() {
            UniEmitter<? super Void> e;
            synchronized (this) {
                revoked = true;
                e = pending;
                pending = null;
            }
            if (e != null) {
                fire(e, new UnauthorizedException("The API key was revoked"));
            }
        }

        private void fire(UniEmitter<? super Void> e, Throwable failure) {
            Context ctx;
            synchronized (this) {
                ctx = context;
                if (pending == e) {
                    pending = null;
                }
            }
            Runnable done = () -> {
                if (failure != null) {
                    e.fail(failure);
                } else {
                    e.complete(null);
                }
            };
            if (ctx == null) {
                done.run();
            } else {
                ctx.runOnContext(v -> done.run());
            }
        }
    }
}
