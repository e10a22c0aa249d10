package com.agentsecretstore.principal.auth;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.principal.ApiKeyTable;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.KeyState;
import com.agentsecretstore.principal.ServiceAccountTable;
import com.agentsecretstore.principal.ServiceAccountTable.BindingState;
import com.agentsecretstore.principal.Role;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Keeps long-lived requests (the event feed, long-polls) honest about the key they were
 * authenticated with. A request is authenticated once, then may stay open for many minutes; this
 * class re-reads the keys of every open one on this replica in one query — when a key or principal
 * changes (the NOTIFY of V12's triggers, from any replica) and periodically as a safety net — and
 * tells each request whose key lapsed: revoked, its principal disabled or gone, or its role or
 * namespaces changed so that what it may see is no longer what it was authenticated for.
 */
@ApplicationScoped
public class CredentialWatch {

    /** Why a watched request must end. */
    public enum Lapse {
        /** The key no longer authenticates: revoked, deleted, or its principal disabled or deleted. */
        REVOKED,
        /** The key still works, but its principal's role or namespaces changed. */
        CHANGED
    }

    /** Stops watching; call when the request ends. */
    public interface Registration {
        void cancel();
    }

    /** The NOTIFY channel of key and principal changes, one per schema (see V12). */
    public static String channel(AssConfig config) {
        return "ass_credentials_" + config.db().schema();
    }

    private static final String BINDING = "k8s:";

    private record Watcher(Caller caller, Consumer<Lapse> onLapse) {
    }

    private final ApiKeyTable keys;
    private final ServiceAccountTable bindings;
    private final Vertx vertx;
    private final AssConfig config;
    private final Map<Long, Watcher> watchers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean checking = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private long timer = -1;

    public CredentialWatch(ApiKeyTable keys, ServiceAccountTable bindings, Vertx vertx, AssConfig config) {
        this.keys = keys;
        this.bindings = bindings;
        this.vertx = vertx;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(Math.max(100, config.events().credentialCheckInterval().toMillis()), id -> check());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * Calls {@code onLapse} once, from any thread, when the caller's key lapses — or, for a caller
     * authenticated with a Kubernetes service-account token, its binding to the principal. Callers
     * with neither (the service's own jobs, OIDC sign-ins) are not watched.
     */
    public Registration watch(Caller caller, Consumer<Lapse> onLapse) {
        if (credential(caller) == null) {
            return () -> {
            };
        }
        long id = ids.incrementAndGet();
        watchers.put(id, new Watcher(caller, onLapse));
        return () -> watchers.remove(id);
    }

    /** Requests being watched on this replica now. */
    public int watching() {
        return watchers.size();
    }

    /** Re-reads every watched key in one query and ends the requests whose key lapsed; one check at a time. */
    public void check() {
        if (watchers.isEmpty()) {
            return;
        }
        if (!checking.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        Map<Long, Watcher> snapshot = new HashMap<>(watchers);
        String[] keyIds = snapshot.values().stream().map(w -> w.caller().keyId()).filter(k -> k != null).distinct()
                .toArray(String[]::new);
        String[] accounts = snapshot.values().stream().filter(w -> w.caller().keyId() == null)
                .map(w -> w.caller().workload().account()).distinct().toArray(String[]::new);
        Uni<Map<String, KeyState>> keyStates = keyIds.length == 0 ? Uni.createFrom().item(Map.of()) : keys.states(keyIds);
        // A binding counts for the principal it was authenticated as: moved to another, it lapsed.
        Uni<Map<String, BindingState>> bindingStates = accounts.length == 0 ? Uni.createFrom().item(Map.of())
                : bindings.states(accounts);
        Uni.combine().all().unis(keyStates, bindingStates).asTuple().subscribe().with(both -> {
            snapshot.forEach((id, w) -> {
                KeyState now;
                if (w.caller().keyId() != null) {
                    now = both.getItem1().get(w.caller().keyId());
                } else {
                    BindingState bound = both.getItem2().get(w.caller().workload().account());
                    now = bound == null || !bound.principalId().equals(w.caller().id()) ? null : bound.state();
                }
                Lapse lapse = lapse(w.caller(), now);
                if (lapse != null && watchers.remove(id) != null) {
                    w.onLapse().accept(lapse);
                }
            });
            done();
        }, e -> {
            Log.debug("Credential check failed; the next change or tick retries", e);
            done();
        });
    }

    /** What a watched request was authenticated with: its API key, or its service-account binding. */
    private static String credential(Caller caller) {
        if (caller.keyId() != null) {
            return caller.keyId();
        }
        return caller.workload() == null ? null : BINDING + caller.workload().account();
    }

    private void done() {
        checking.set(false);
        if (again.getAndSet(false)) {
            check();
        }
    }

    /** Whether a request authenticated as {@code caller} must end, given its key's state now (null: gone). */
    static Lapse lapse(Caller caller, KeyState now) {
        if (now == null || !now.active()) {
            return Lapse.REVOKED;
        }
        List<String> had = caller.namespaces() == null ? List.of() : caller.namespaces();
        if (now.role() != caller.role() || !now.namespaces().equals(new HashSet<>(had))) {
            return Lapse.CHANGED;
        }
        return null;
    }
}
