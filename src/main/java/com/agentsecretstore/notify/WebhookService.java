package com.agentsecretstore.notify;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.crypto.Barrier;
import com.agentsecretstore.notify.WebhookApi.CreateRequest;
import com.agentsecretstore.notify.WebhookApi.DeliveryView;
import com.agentsecretstore.notify.WebhookApi.WebhookView;
import com.agentsecretstore.principal.Caller;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Webhook registrations. Anyone authenticated may register one: it receives what its owner may
 * see by {@link com.agentsecretstore.access.AccessModel} (the fan-out in {@link EventLog} uses its
 * SQL), which is what an agent taking the reference's non-blocking path needs. Owners and admins
 * manage it. A principal has at most {@code ass.webhooks.max-per-principal} webhooks and one per
 * URL: a second registration of the same URL is a 409 naming the existing webhook (the signing
 * secret is shown only once, so handing back the existing one would not do).
 *
 * <p>Its rows are {@link WebhookTable}'s (and a webhook's deliveries {@link WebhookDeliveries}'), all
 * on the plain SQL client. Every change runs in a transaction that a client hanging up cannot cancel
 * ({@link Transactions#uncancellable}): half-cancelled transactions were what left connections "idle
 * in transaction" holding webhook rows (issue 11.2). The SQL client's own transaction is the one
 * that held up under the delete storm (an agent firing deletes in parallel and abandoning them):
 * through Hibernate Reactive, an abandoned delete still stopped now and then between its DELETE and
 * its COMMIT (every storm run here, one transaction each, ended only by the server's
 * idle-in-transaction timeout 30 s later); over the SQL client's it never did.
 */
@ApplicationScoped
public class WebhookService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Barrier barrier;
    private final AuditLog audit;
    private final Clock clock;
    private final AssConfig config;
    private final Dispatchers dispatchers;
    private final Pool pool;

    public WebhookService(Barrier barrier, AuditLog audit, Clock clock, AssConfig config, Dispatchers dispatchers, Pool pool) {
        this.pool = pool;
        this.barrier = barrier;
        this.audit = audit;
        this.clock = clock;
        this.config = config;
        this.dispatchers = dispatchers;
    }

    /** The barrier's associated data for a webhook's signing secret. */
    static String sealPath(String webhookId) {
        return "_webhooks/" + webhookId;
    }

    public Uni<WebhookView> create(Caller caller, CreateRequest request) {
        List<FieldError> errors = new ArrayList<>();
        List<String> events = validEvents(request.events(), errors);
        if (request.secret() != null && (request.secret().length() < 8 || request.secret().length() > 256)) {
            errors.add(new FieldError("secret", "must be 8 to 256 characters (whsec_<base64> recommended)"));
        }
        if (request.description() != null && request.description().length() > 500) {
            errors.add(new FieldError("description", "must be at most 500 characters"));
        }
        if (request.url() == null || request.url().isBlank()) {
            errors.add(new FieldError("url", "is required"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        boolean generated = request.secret() == null;
        String secret = generated ? generateSecret() : request.secret();
        return checkUrl(request.url()).chain(() -> Transactions.sql(pool, tx -> withinLimits(tx, caller,
                request.url()).chain(() -> {
                    String id = Ids.next("wh");
                    Webhook w = new Webhook(id, request.url(), events, 1, seal(id, secret, 1), request.description(), null, null,
                            clock.instant(), caller.id());
                    return WebhookTable.insert(tx, w)
                            .call(() -> audit.append(tx, AuditEvent.success(AuditAction.WEBHOOK_CREATE, caller).onTarget(id)
                                    .with(Map.of("url", w.url(), "events", events))))
                            .map(ignored -> view(w, generated ? secret : null));
                })));
    }

    /**
     * Refuses a registration over the principal's cap or for a URL it has already registered. The
     * principal's own advisory lock serializes its registrations, so parallel ones cannot both pass.
     */
    private Uni<Void> withinLimits(SqlConnection tx, Caller caller, String url) {
        int max = config.webhooks().maxPerPrincipal();
        return WebhookTable.lockRegistrations(tx, caller.id())
                .chain(() -> WebhookTable.findByUrl(tx, caller.id(), url))
                .flatMap(existing -> {
                    if (existing != null) {
                        throw ApiException.conflict("You already have a webhook for this URL: " + existing + ".");
                    }
                    return WebhookTable.countOwned(tx, caller.id());
                })
                .map(count -> {
                    if (count >= max) {
                        throw new ApiException(ProblemType.LIMIT_EXCEEDED, "A principal may have at most " + max
                                + " webhooks (ASS_WEBHOOKS_MAX_PER_PRINCIPAL); delete one first.", null,
                                Map.of("limit", max));
                    }
                    return null;
                });
    }

    public Uni<Page<WebhookView>> list(Caller caller, String limit, String cursor) {
        int n = Page.limit(limit);
        String after = Page.decodeCursor(cursor);
        return WebhookTable.list(pool, caller.isAdmin() ? null : caller.id(), after, n + 1)
                .map(rows -> Page.of(rows, n, Webhook::id, w -> view(w, null)));
    }

    public Uni<WebhookView> get(Caller caller, String id) {
        return owned(pool, caller, id, false).map(w -> view(w, null));
    }

    public Uni<Void> delete(Caller caller, String id) {
        return Transactions.sql(pool, tx -> WebhookTable.delete(tx, id, caller.isAdmin(), caller.id())
                .flatMap(deleted -> {
                    if (!deleted) {
                        throw ApiException.notFound("No such webhook.");
                    }
                    return audit.append(tx, AuditEvent.success(AuditAction.WEBHOOK_DELETE, caller).onTarget(id));
                }));
    }

    /** A new signing secret; the old one stops signing at once. Returns the secret if it was generated. */
    public Uni<WebhookView> rotate(Caller caller, String id, String provided) {
        if (provided != null && (provided.length() < 8 || provided.length() > 256)) {
            throw ApiException.invalid("secret", "must be 8 to 256 characters");
        }
        String secret = provided == null ? generateSecret() : provided;
        return Transactions.sql(pool, tx -> owned(tx, caller, id, true).flatMap(w -> {
            int version = w.secretVersion() + 1;
            Barrier.Sealed sealed = seal(id, secret, version);
            Webhook rotated = new Webhook(id, w.url(), w.events(), version, sealed, w.description(), w.disabledAt(),
                    w.disabledReason(), w.createdAt(), w.createdBy());
            return WebhookTable.reseal(tx, id, version, sealed)
                    .chain(() -> audit.append(tx, AuditEvent.success(AuditAction.WEBHOOK_ROTATE_SECRET, caller).onTarget(id)
                            .with(Map.of("secret_version", version))))
                    .map(ignored -> view(rotated, provided == null ? secret : null));
        }));
    }

    /** Turns a webhook disabled by a 410 (or otherwise) back on. */
    public Uni<WebhookView> enable(Caller caller, String id) {
        return Transactions.sql(pool, tx -> owned(tx, caller, id, true).flatMap(w -> {
            Webhook enabled = new Webhook(id, w.url(), w.events(), w.secretVersion(), w.secret(), w.description(), null, null,
                    w.createdAt(), w.createdBy());
            return WebhookTable.enable(tx, id)
                    .chain(() -> audit.append(tx, AuditEvent.success(AuditAction.WEBHOOK_ENABLE, caller).onTarget(id)))
                    .map(ignored -> view(enabled, null));
        }));
    }

    public Uni<Page<DeliveryView>> deliveries(Caller caller, String id, String limit, String cursor) {
        int n = Page.limit(limit);
        String before = Page.decodeCursor(cursor);
        return owned(pool, caller, id, false)
                .chain(w -> WebhookDeliveries.list(pool, id, before, n + 1))
                .map(rows -> Page.of(rows, n, DeliveryView::id, d -> d));
    }

    /** Sends a delivery again, whatever its state, as soon as possible. */
    public Uni<DeliveryView> redeliver(Caller caller, String id, String deliveryId) {
        return Transactions.sql(pool, tx -> owned(tx, caller, id, false)
                .chain(() -> WebhookDeliveries.redeliver(tx, id, deliveryId, clock.instant()))
                .call(d -> {
                    if (d == null) {
                        throw ApiException.notFound("No such delivery.");
                    }
                    return audit.append(tx, AuditEvent.success(AuditAction.WEBHOOK_REDELIVER, caller).onTarget(deliveryId));
                }))
                .invoke(dispatchers::wake);
    }

    /** The webhook if the caller may manage it (its owner, or an admin); with {@code lock}, locked for the transaction. */
    private static Uni<Webhook> owned(SqlClient client, Caller caller, String id, boolean lock) {
        return WebhookTable.find(client, id, lock).map(w -> {
            if (w == null || (!caller.isAdmin() && !w.createdBy().equals(caller.id()))) {
                throw ApiException.notFound("No such webhook.");
            }
            return w;
        });
    }

    private Uni<Void> checkUrl(String url) {
        boolean allowPrivate = config.webhooksAllowPrivate();
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        // The check resolves the host name, which blocks: it runs on a worker thread, and the
        // answer comes back on the request's own context (its event loop), where the rest runs.
        return Uni.createFrom().item(() -> WebhookUrls.problem(url, allowPrivate))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .emitOn(command -> context.runOnContext(v -> command.run()))
                .map(problem -> {
                    if (problem != null) {
                        throw ApiException.invalid("url", problem);
                    }
                    return null;
                });
    }

    private Barrier.Sealed seal(String webhookId, String secret, int version) {
        return barrier.seal(sealPath(webhookId), version, secret.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> validEvents(List<String> events, List<FieldError> errors) {
        if (events == null || events.isEmpty()) {
            errors.add(new FieldError("events", "must list at least one of " + EventType.ALL));
            return List.of();
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i);
            if (e == null || !EventType.ALL.contains(e)) {
                errors.add(new FieldError("events[" + i + "]", "must be one of " + EventType.ALL));
            } else {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    private static String generateSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return WebhookSigner.PREFIX + Base64.getEncoder().encodeToString(key);
    }

    private static WebhookView view(Webhook w, String secret) {
        return new WebhookView(w.id(), w.url(), w.events(), w.description(), w.secretVersion(), w.createdAt(), w.createdBy(),
                w.disabledAt(), w.disabledReason(), secret);
    }
}
