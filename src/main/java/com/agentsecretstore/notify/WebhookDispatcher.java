package com.agentsecretstore.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.crypto.Barrier;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sends webhook deliveries from the outbox. Rows are claimed in a short transaction (status
 * 'sending' with a lease), each sent outside any transaction and its outcome recorded on its own.
 * Per webhook and approval request, a delivery is not claimed while an earlier one is still pending,
 * so receivers see each request's events in order. Replicas claim disjoint rows (SKIP LOCKED); a
 * replica that dies mid-send leaves a lease that runs out.
 *
 * <p>A receiver cannot hold the sender: each attempt has one deadline (name resolution, connection,
 * request and response together), the response body is read only up to a small cap and never kept,
 * and each send holds one of {@code concurrency} slots, so the others keep going.
 */
@ApplicationScoped
public class WebhookDispatcher {

    static final int BATCH = 32;
    static final String CLAIM = """
            with due as (
              select d.id from webhook_delivery d
              where ((d.status = 'pending' and d.next_attempt_at <= $1) or (d.status = 'sending' and d.locked_until < $1))
                and not exists (select 1 from webhook_delivery e
                                where e.webhook_id = d.webhook_id and e.ordering_key = d.ordering_key
                                  and e.event_seq < d.event_seq and e.status in ('pending', 'sending'))
              order by d.event_seq
              limit $3
              for update skip locked)
            update webhook_delivery d set status = 'sending', locked_until = $2, attempts = d.attempts + 1
            from due where d.id = due.id
            returning d.id""";
    static final String LOAD = """
            select d.id, d.attempts, w.id as webhook_id, w.url, w.secret_version, w.master_key_id, w.wrapped_key,
                   w.ciphertext, w.disabled_at, e.payload
            from webhook_delivery d join webhook w on w.id = d.webhook_id join event e on e.seq = d.event_seq
            where d.id = any($1) order by d.event_seq""";

    /**
     * Hands rows this replica claimed but will not finish back to every replica, due now; the
     * abandoned attempt does not count. Rows whose outcome was recorded meanwhile are left alone.
     */
    static final String RELEASE = OutboxLoop.releaseSql("webhook_delivery");

    /** What one attempt learnt from the receiver. */
    record Answer(int status, String retryAfter) {
    }

    private final Pool pool;
    private final Vertx vertx;
    private final Barrier barrier;
    private final AssConfig config;
    private final Clock clock;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private RetrySchedule schedule;
    private Duration deadline;
    private long maxResponseBytes;
    private HttpClient http;
    private OutboxLoop loop;

    public WebhookDispatcher(Pool pool, Vertx vertx, Barrier barrier, AssConfig config, Clock clock) {
        this.pool = pool;
        this.vertx = vertx;
        this.barrier = barrier;
        this.config = config;
        this.clock = clock;
    }

    @PostConstruct
    void init() {
        schedule = RetrySchedule.parse(config.webhooks().retrySchedule());
        deadline = RetrySchedule.parseDuration(config.webhooks().timeout());
        maxResponseBytes = config.webhooks().maxResponseBytes();
        http = vertx.getDelegate().createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) deadline.toMillis())
                .setMaxPoolSize(config.webhooks().concurrency())
                .setDecompressionSupported(false));
        loop = new OutboxLoop("webhooks", config.webhooks().concurrency(), this::claim, this::release);
    }

    @PreDestroy
    void close() {
        if (http != null) {
            http.close();
        }
    }

    public void wake() {
        loop.wake();
    }

    /** Shutdown: no more claims; deliveries in flight are abandoned and handed back (see {@link #RELEASE}). */
    public Uni<Void> stop() {
        return loop.stop();
    }

    @Scheduled(every = "${ass.webhooks.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return loop.tick();
    }

    /** Claims at most {@code max} due deliveries; one send each, for the loop to start. */
    Uni<List<OutboxLoop.Send>> claim(int max) {
        Instant now = clock.instant();
        // The lease outlives the attempt's deadline, so a live sender records before anyone reclaims.
        OffsetDateTime lease = OutboxLoop.at(now.plus(deadline).plusSeconds(30));
        return pool.withTransaction(c -> c.preparedQuery(CLAIM).execute(Tuple.of(OutboxLoop.at(now), lease, Math.min(max, BATCH))))
                .flatMap(claimed -> {
                    List<String> ids = new ArrayList<>();
                    claimed.forEach(r -> ids.add(r.getString("id")));
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(List.<OutboxLoop.Send>of());
                    }
                    return pool.preparedQuery(LOAD).execute(Tuple.of(ids.toArray(String[]::new))).map(rows -> {
                        List<OutboxLoop.Send> sends = new ArrayList<>();
                        rows.forEach(row -> sends.add(new OutboxLoop.Send(row.getString("id"),
                                Uni.createFrom().deferred(() -> send(row)))));
                        return sends;
                    });
                });
    }

    Uni<Void> release(List<String> ids) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(ids.toArray(String[]::new), OutboxLoop.at(clock.instant())))
                .replaceWithVoid();
    }

    private Uni<Void> send(Row row) {
        String id = row.getString("id");
        int attempts = row.getInteger("attempts");
        if (row.getValue("disabled_at") != null) {
            return record(id, DeliveryState.FAILED, null, "webhook disabled", null);
        }
        String url = row.getString("url");
        String payload = row.getString("payload");
        byte[] key = key(row);
        boolean allowPrivate = config.webhooksAllowPrivate();
        // Resolving the host blocks, so it runs on a worker thread; the address it checked is the
        // one the request goes to.
        Uni<Answer> attempt = Uni.createFrom().item(() -> WebhookUrls.check(url, allowPrivate))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(checked -> checked.problem() != null
                        ? Uni.createFrom().failure(new Refused(checked.problem()))
                        : post(checked.target(), id, payload, key))
                .ifNoItem().after(deadline).failWith(TimeoutException::new);
        return attempt.flatMap(answer -> outcome(id, row.getString("webhook_id"), attempts, answer))
                .onFailure().recoverWithUni(e -> retryOrFail(id, attempts, null, describe(e), null));
    }

    /**
     * One POST to the checked address. The answer is the status once the body has ended or passed
     * the cap (the rest is not read: the connection is reset). Cancelling the Uni (the deadline)
     * resets the request, so nothing of it lingers.
     */
    private Uni<Answer> post(WebhookUrls.Target target, String id, String payload, byte[] key) {
        long ts = clock.instant().getEpochSecond();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(target.pathAndQuery())
                .setFollowRedirects(false)
                .putHeader("content-type", "application/json")
                .putHeader("user-agent", "AgentSecretStore-Webhooks/1")
                .putHeader("webhook-id", id)
                .putHeader("webhook-timestamp", String.valueOf(ts))
                .putHeader("webhook-signature", WebhookSigner.sign(key, id, ts, payload));
        if (target.host().contains(":")) {
            options.putHeader("host", "[" + target.host() + "]:" + target.port());
        }
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            emitter.onTermination(() -> {
                if (done.compareAndSet(false, true)) {
                    reset(sent.get());
                }
            });
            http.request(options).onComplete(ar -> {
                if (ar.failed()) {
                    finish(emitter, done, null, null, ar.cause());
                    return;
                }
                HttpClientRequest request = ar.result();
                request.exceptionHandler(e -> finish(emitter, done, null, null, e));
                sent.set(request);
                if (done.get()) {
                    reset(request);
                    return;
                }
                request.send(Buffer.buffer(payload)).onComplete(r -> {
                    if (r.failed()) {
                        finish(emitter, done, null, null, r.cause());
                    } else {
                        read(r.result(), request, emitter, done);
                    }
                });
            });
        });
    }

    /** Counts and drops the body; past the cap, answers with the status and resets the connection. */
    private void read(HttpClientResponse response, HttpClientRequest request, UniEmitter<? super Answer> emitter,
            AtomicBoolean done) {
        Answer answer = new Answer(response.statusCode(), response.getHeader("retry-after"));
        long[] seen = { 0 };
        response.handler(chunk -> {
            seen[0] += chunk.length();
            if (seen[0] > maxResponseBytes) {
                finish(emitter, done, answer, request, null);
            }
        });
        response.exceptionHandler(e -> finish(emitter, done, null, request, e));
        response.endHandler(v -> finish(emitter, done, answer, null, null));
    }

    private static void finish(UniEmitter<? super Answer> emitter, AtomicBoolean done, Answer answer,
            HttpClientRequest toReset, Throwable failure) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        reset(toReset);
        if (failure != null) {
            emitter.fail(failure);
        } else {
            emitter.complete(answer);
        }
    }

    private static void reset(HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }

    private Uni<Void> outcome(String id, String webhookId, int attempts, Answer answer) {
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return record(id, DeliveryState.DELIVERED, status, null, null);
        }
        if (status == 410) {
            // The receiver says this endpoint is gone for good: stop sending to it.
            return pool.preparedQuery("update webhook set disabled_at = $2, disabled_reason = $3 where id = $1 and disabled_at is null")
                    .execute(Tuple.of(webhookId, OutboxLoop.at(clock.instant()), "receiver answered 410 Gone"))
                    .chain(() -> record(id, DeliveryState.FAILED, status, "410 Gone: webhook disabled", null));
        }
        return retryOrFail(id, attempts, status, "HTTP " + status, retryAfter(answer.retryAfter()));
    }

    private Uni<Void> retryOrFail(String id, int attempts, Integer status, String error, Duration retryAfter) {
        Instant next = schedule.next(attempts, clock.instant(), retryAfter);
        if (next == null) {
            Log.warnf("Webhook delivery %s failed for good after %d attempts: %s", id, attempts, error);
            return record(id, DeliveryState.FAILED, status, error, null);
        }
        return record(id, DeliveryState.PENDING, status, error, next);
    }

    private Uni<Void> record(String id, DeliveryState state, Integer code, String error, Instant next) {
        Instant now = clock.instant();
        return pool.preparedQuery("update webhook_delivery set status = $2, last_status_code = $3, last_error = $4, "
                + "next_attempt_at = coalesce($5, next_attempt_at), locked_until = null, "
                + "delivered_at = case when $2 = 'delivered' then $6 else delivered_at end where id = $1")
                .execute(Tuple.from(new Object[] { id, state.wire(), code, error, next == null ? null : OutboxLoop.at(next), OutboxLoop.at(now) }))
                .replaceWithVoid();
    }

    private byte[] key(Row row) {
        String webhookId = row.getString("webhook_id");
        int version = row.getInteger("secret_version");
        return keys.computeIfAbsent(webhookId + ":" + version, k -> WebhookSigner.key(new String(
                barrier.open(WebhookService.sealPath(webhookId), version, new Barrier.Sealed(row.getString("master_key_id"),
                        row.getBuffer("wrapped_key").getBytes(), row.getBuffer("ciphertext").getBytes())),
                java.nio.charset.StandardCharsets.UTF_8)));
    }

    static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds > 0 ? Duration.ofSeconds(Math.min(seconds, 86_400)) : null;
        } catch (NumberFormatException e) {
            try {
                Instant when = java.time.ZonedDateTime.parse(header.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), when);
                return d.isNegative() ? null : d;
            } catch (java.time.format.DateTimeParseException ignored) {
                return null;
            }
        }
    }

    /** A URL the check refused at send time (its DNS answer changed since registration, say). */
    static final class Refused extends RuntimeException {
        Refused(String problem) {
            super("refused: URL " + problem, null, false, false);
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof Refused) {
            return e.getMessage();
        }
        String kind = e.getClass().getSimpleName();
        if (e instanceof TimeoutException || kind.contains("Timeout")) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException || kind.contains("Connect")) {
            return "connection failed";
        }
        return "request failed (" + kind + ")";
    }

}
