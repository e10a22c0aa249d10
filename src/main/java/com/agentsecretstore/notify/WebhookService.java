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
import jakarta.persistence.LockModeType;

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

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Webhook registrations. Anyone authenticated may register one: it receives what its owner may
 * see by {@link com.agentsecretstore.access.AccessModel} (the fan-out in {@link EventLog} uses its
 * SQL), which is what an agent taking the reference's non-blocking path needs. Owners and admins
 * manage it. A principal has at most {@code ass.webhooks.max-per-principal} webhooks and one per
 * URL: a second registration of the same URL is a 409 naming the existing webhook (the signing
 * secret is shown only once, so handing back the existing one would not do).
 *
 * <p>Every change runs in a {@link Transactions#run transaction that a client hanging up cannot
 * cancel}: half-cancelled transactions were what left connections "idle in transaction" holding
 * webhook rows (issue 11.2). Delete, the change an agent can fire in parallel and abandon, runs on
 * the plain SQL client: through Hibernate Reactive, an abandoned delete still stopped now and then
 * between its DELETE and its COMMIT (every storm run here, one transaction each, ended only by the
 * server's idle-in-transaction timeout 30 s later); over the SQL client's own transaction it never did.
 */
@ApplicationScoped
public class WebhookService {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** First key of the per-principal advisory lock around registrations (second: hash of the principal id). */
    static final int REGISTRATION_LOCK = 7364101;

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
        return checkUrl(request.url()).chain(() -> Transactions.run(() -> withinLimits(caller, request.url()).chain(() -> {
            Webhook w = new Webhook();
            w.id = Ids.next("wh");
            w.url = request.url();
            w.events = events.toArray(String[]::new);
            w.description = request.description();
            w.createdAt = clock.instant();
            w.createdBy = caller.id();
            seal(w, secret, 1);
            return w.persist().call(() -> audit.append(AuditEvent.success(AuditAction.WEBHOOK_CREATE, caller).onTarget(w.id)
                    .with(Map.of("url", w.url, "events", events))))
                    .map(ignored -> view(w, generated ? secret : null));
        })));
    }

    /**
     * Refuses a registration over the principal's cap or for a URL it has already registered. The
     * principal's own advisory lock serializes its registrations, so parallel ones cannot both pass.
     */
    private Uni<Void> withinLimits(Caller caller, String url) {
        int max = config.webhooks().maxPerPrincipal();
        return Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select pg_advisory_xact_lock(" + REGISTRATION_LOCK + ", hashtext(:me))")
                        .setParameter("me", caller.id()).getSingleResult())
                .chain(() -> Webhook.<Webhook>find("createdBy = ?1 and url = ?2", caller.id(), url).<Webhook>firstResult())
                .flatMap(existing -> {
                    if (existing != null) {
                        throw ApiException.conflict("You already have a webhook for this URL: " + existing.id + ".");
                    }
                    return Webhook.count("createdBy", caller.id());
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
        String where = (caller.isAdmin() ? "1 = 1" : "createdBy = :me") + (after == null ? "" : " and id > :after");
        Map<String, Object> params = new java.util.HashMap<>();
        if (!caller.isAdmin()) {
            params.put("me", caller.id());
        }
        if (after != null) {
            params.put("after", after);
        }
        return Panache.withSession(() -> Webhook.<Webhook>find(where + " order by id", params).range(0, n).list()
                .map(rows -> Page.of(rows, n, w -> w.id, w -> view(w, null))));
    }

    public Uni<WebhookView> get(Caller caller, String id) {
        return Panache.withSession(() -> owned(caller, id, false).map(w -> view(w, null)));
    }

    public Uni<Void> delete(Caller caller, String id) {
        return Transactions.uncancellable(pool.withTransaction(tx -> tx.preparedQuery(DELETE)
                .execute(Tuple.of(id, caller.isAdmin(), caller.id()))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ApiException.notFound("No such webhook.");
                    }
                    return audit.append(tx, AuditEvent.success(AuditAction.WEBHOOK_DELETE, caller).onTarget(id));
                })));
    }

    /** Owners delete their own; admins any. Deliveries go with it (on delete cascade). */
    private static final String DELETE = "delete from webhook where id = $1 and ($2 or created_by = $3)";

    /** A new signing secret; the old one stops signing at once. Returns the secret if it was generated. */
    public Uni<WebhookView> rotate(Caller caller, String id, String provided) {
        if (provided != null && (provided.length() < 8 || provided.length() > 256)) {
            throw ApiException.invalid("secret", "must be 8 to 256 characters");
        }
        String secret = provided == null ? generateSecret() : provided;
        return Transactions.run(() -> owned(caller, id, true).flatMap(w -> {
            seal(w, secret, w.secretVersion + 1);
            return audit.append(AuditEvent.success(AuditAction.WEBHOOK_ROTATE_SECRET, caller).onTarget(id)
                    .with(Map.of("secret_version", w.secretVersion)))
                    .map(ignored -> view(w, provided == null ? secret : null));
        }));
    }

    /** Turns a webhook disabled by a 410 (or otherwise) back on. */
    public Uni<WebhookView> enable(Caller caller, String id) {
        return Transactions.run(() -> owned(caller, id, true).flatMap(w -> {
            w.disabledAt = null;
            w.disabledReason = null;
            return audit.append(AuditEvent.success(AuditAction.WEBHOOK_ENABLE, caller).onTarget(id)).map(ignored -> view(w, null));
        }));
    }

    public Uni<Page<DeliveryView>> deliveries(Caller caller, String id, String limit, String cursor) {
        int n = Page.limit(limit);
        String before = Page.decodeCursor(cursor);
        return Panache.withSession(() -> owned(caller, id, false))
                .chain(w -> WebhookDeliveries.list(pool, id, before, n + 1))
                .map(rows -> Page.of(rows, n, DeliveryView::id, d -> d));
    }

    /** Sends a delivery again, whatever its state, as soon as possible. */
    public Uni<DeliveryView> redeliver(Caller caller, String id, String deliveryId) {
        return Transactions.run(() -> owned(caller, id, false)
                .chain(() -> WebhookDelivery.<WebhookDelivery>findById(deliveryId, LockModeType.PESSIMISTIC_WRITE))
                .flatMap(d -> {
                    if (d == null || !d.webhookId.equals(id)) {
                        throw ApiException.notFound("No such delivery.");
                    }
                    d.status = DeliveryState.PENDING.wire();
                    d.attempts = 0;
                    d.nextAttemptAt = clock.instant();
                    d.lockedUntil = null;
                    return audit.append(AuditEvent.success(AuditAction.WEBHOOK_REDELIVER, caller).onTarget(deliveryId))
                            .replaceWith(d);
                }))
                .invoke(dispatchers::wake)
                .map(d -> new DeliveryView(d.id, d.webhookId, null, null, d.eventSeq, d.orderingKey, d.status, d.attempts,
                        d.nextAttemptAt, d.lastStatusCode, d.lastError, d.deliveredAt, d.createdAt));
    }

    private Uni<Webhook> owned(Caller caller, String id, boolean lock) {
        Uni<Webhook> found = lock ? Webhook.findById(id, LockModeType.PESSIMISTIC_WRITE) : Webhook.findById(id);
        return found.map(w -> {
            if (w == null || (!caller.isAdmin() && !w.createdBy.equals(caller.id()))) {
                throw ApiException.notFound("No such webhook.");
            }
            return w;
        });
    }

    private Uni<Void> checkUrl(String url) {
        boolean allowPrivate = config.webhooksAllowPrivate();
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        // The check resolves the host name, which blocks: it runs on a worker thread, and the
        // answer comes back on the request's own context, where its reactive session lives.
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

    private void seal(Webhook w, String secret, int version) {
        Barrier.Sealed sealed = barrier.seal(sealPath(w.id), version, secret.getBytes(StandardCharsets.UTF_8));
        w.secretVersion = version;
        w.masterKeyId = sealed.masterKeyId();
        w.wrappedKey = sealed.wrappedKey();
        w.ciphertext = sealed.ciphertext();
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
        return new WebhookView(w.id, w.url, List.of(w.events), w.description, w.secretVersion, w.createdAt, w.createdBy,
                w.disabledAt, w.disabledReason, secret);
    }
}
