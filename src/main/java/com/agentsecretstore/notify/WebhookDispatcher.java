package com.agentsecretstore.notify;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

/**
 * The webhook channel of the {@link Outbox}: how one delivery is sent (a signed POST) and what the
 * receiver's answer means; claiming, leases, retries and the shutdown hand-back are the outbox's.
 * Configured by {@code ass.webhooks.*}.
 *
 * <p>A receiver cannot hold the sender: each attempt has one deadline (name resolution, connection,
 * request and response together), the response body is read only up to a small cap and never kept,
 * and each send holds one of {@code concurrency} slots, so the others keep going.
 */
@ApplicationScoped
public class WebhookDispatcher implements Outbox.Sender<WebhookDeliveries.Job> {

    static final int BATCH = 32;

    /** What one attempt learnt from the receiver. */
    record Answer(int status, String retryAfter) {
    }

    private final Pool pool;
    private final Vertx vertx;
    private final Barrier barrier;
    private final AssConfig config;
    private final Clock clock;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private Duration deadline;
    private long maxResponseBytes;
    private HttpClient http;
    private Outbox<WebhookDeliveries.Job> outbox;

    public WebhookDispatcher(Pool pool, Vertx vertx, Barrier barrier, AssConfig config, Clock clock) {
        this.pool = pool;
        this.vertx = vertx;
        this.barrier = barrier;
        this.config = config;
        this.clock = clock;
    }

    @PostConstruct
    void init() {
        deadline = RetrySchedule.parseDuration(config.webhooks().timeout());
        maxResponseBytes = config.webhooks().maxResponseBytes();
        http = vertx.getDelegate().createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) deadline.toMillis())
                .setMaxPoolSize(config.webhooks().concurrency())
                .setDecompressionSupported(false));
        // The lease outlives the attempt's deadline, so a live sender records before anyone reclaims.
        outbox = new Outbox<>(WebhookDeliveries.TABLE, this, new Outbox.Settings("webhooks", config.webhooks().concurrency(),
                BATCH, deadline.plusSeconds(30), RetrySchedule.parse(config.webhooks().retrySchedule())), pool, clock);
    }

    @PreDestroy
    void close() {
        if (http != null) {
            http.close();
        }
    }

    public void wake() {
        outbox.wake();
    }

    /** Shutdown: no more claims; deliveries in flight are abandoned and handed back, due now. */
    public Uni<Void> stop() {
        return outbox.stop();
    }

    @Scheduled(every = "${ass.webhooks.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return outbox.tick();
    }

    @Override
    public Uni<Attempt> send(String id, WebhookDeliveries.Job job) {
        if (job.webhookDisabled()) {
            return Uni.createFrom().item(Attempt.refused(null, "webhook disabled"));
        }
        byte[] key = key(job);
        boolean allowPrivate = config.webhooksAllowPrivate();
        // Resolving the host blocks, so it runs on a worker thread; the address it checked is the
        // one the request goes to.
        return Uni.createFrom().item(() -> WebhookUrls.check(job.url(), allowPrivate))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(checked -> checked.problem() != null
                        ? Uni.createFrom().failure(new Refused(checked.problem()))
                        : post(checked.target(), id, job.payload(), key))
                .ifNoItem().after(deadline).failWith(TimeoutException::new)
                .flatMap(answer -> attempt(job.webhookId(), answer));
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

    private Uni<Attempt> attempt(String webhookId, Answer answer) {
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return Uni.createFrom().item(Attempt.delivered(status));
        }
        if (status == 410) {
            // The receiver says this endpoint is gone for good: stop sending to it.
            return WebhookTable.disable(pool, webhookId, clock.instant(), "receiver answered 410 Gone")
                    .replaceWith(Attempt.refused(status, "410 Gone: webhook disabled"));
        }
        return Uni.createFrom().item(Attempt.failed(status, "HTTP " + status, retryAfter(answer.retryAfter())));
    }

    private byte[] key(WebhookDeliveries.Job job) {
        return keys.computeIfAbsent(job.webhookId() + ":" + job.secretVersion(), k -> WebhookSigner.key(new String(
                barrier.open(WebhookService.sealPath(job.webhookId()), job.secretVersion(),
                        new Barrier.Sealed(job.masterKeyId(), job.wrappedKey(), job.ciphertext())),
                StandardCharsets.UTF_8)));
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

    @Override
    public String describe(Throwable e) {
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
