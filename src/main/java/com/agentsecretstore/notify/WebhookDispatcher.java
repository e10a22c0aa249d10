package com.agentsecretstore.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.crypto.Barrier;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sends webhook deliveries from the outbox. A batch is claimed in a short transaction (status
 * 'sending' with a lease), sent outside any transaction with bounded concurrency and a timeout,
 * and its outcome recorded. Per webhook and approval request, a delivery is not claimed while an
 * earlier one is still pending, so receivers see each request's events in order. Replicas claim
 * disjoint rows (SKIP LOCKED); a replica that dies mid-send leaves a lease that runs out.
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

    private final Pool pool;
    private final Vertx vertx;
    private final Barrier barrier;
    private final AssConfig config;
    private final Clock clock;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private RetrySchedule schedule;
    private Duration timeout;
    private WebClient client;
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
        timeout = RetrySchedule.parseDuration(config.webhooks().timeout());
        client = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) timeout.toMillis())
                .setFollowRedirects(false)
                .setUserAgent("AgentSecretStore-Webhooks/1")
                .setMaxPoolSize(config.webhooks().concurrency()));
        loop = new OutboxLoop("webhooks", this::batch);
    }

    public void wake() {
        loop.wake();
    }

    @Scheduled(every = "${ass.webhooks.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return loop.tick();
    }

    /** Claims and sends one batch; returns how many deliveries it handled. */
    Uni<Integer> batch() {
        Instant now = clock.instant();
        OffsetDateTime lease = at(now.plus(timeout).plusSeconds(30));
        return pool.withTransaction(c -> c.preparedQuery(CLAIM).execute(Tuple.of(at(now), lease, BATCH)))
                .flatMap(claimed -> {
                    List<String> ids = new ArrayList<>();
                    claimed.forEach(r -> ids.add(r.getString("id")));
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return pool.preparedQuery(LOAD).execute(Tuple.of(ids.toArray(String[]::new)))
                            .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                            .onItem().transformToUni(this::send).merge(config.webhooks().concurrency())
                            .collect().asList()
                            .replaceWith(ids.size());
                });
    }

    private Uni<Void> send(Row row) {
        String id = row.getString("id");
        int attempts = row.getInteger("attempts");
        if (row.getValue("disabled_at") != null) {
            return record(id, "failed", null, "webhook disabled", null);
        }
        String url = row.getString("url");
        String payload = row.getString("payload");
        Uni<String> urlProblem = config.webhooksAllowPrivate() ? Uni.createFrom().nullItem()
                // Resolving the host blocks, so it runs on a worker thread, never on the event loop.
                : Uni.createFrom().item(() -> WebhookUrls.problem(url, false)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return urlProblem.flatMap(problem -> {
            if (problem != null) {
                return retryOrFail(id, attempts, null, "refused: URL " + problem, null);
            }
            byte[] key = key(row);
            long ts = clock.instant().getEpochSecond();
            return client.postAbs(url)
                    .timeout(timeout.toMillis())
                    .putHeader("content-type", "application/json")
                    .putHeader("webhook-id", id)
                    .putHeader("webhook-timestamp", String.valueOf(ts))
                    .putHeader("webhook-signature", WebhookSigner.sign(key, id, ts, payload))
                    .sendBuffer(Buffer.buffer(payload))
                    .flatMap(response -> outcome(id, row.getString("webhook_id"), attempts, response))
                    .onFailure().recoverWithUni(e -> retryOrFail(id, attempts, null, describe(e), null));
        });
    }

    private Uni<Void> outcome(String id, String webhookId, int attempts, HttpResponse<Buffer> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return record(id, "delivered", status, null, null);
        }
        if (status == 410) {
            // The receiver says this endpoint is gone for good: stop sending to it.
            return pool.preparedQuery("update webhook set disabled_at = $2, disabled_reason = $3 where id = $1 and disabled_at is null")
                    .execute(Tuple.of(webhookId, at(clock.instant()), "receiver answered 410 Gone"))
                    .chain(() -> record(id, "failed", status, "410 Gone: webhook disabled", null));
        }
        return retryOrFail(id, attempts, status, "HTTP " + status, retryAfter(response.getHeader("retry-after")));
    }

    private Uni<Void> retryOrFail(String id, int attempts, Integer status, String error, Duration retryAfter) {
        Instant next = schedule.next(attempts, clock.instant(), retryAfter);
        if (next == null) {
            Log.warnf("Webhook delivery %s failed for good after %d attempts: %s", id, attempts, error);
            return record(id, "failed", status, error, null);
        }
        return record(id, "pending", status, error, next);
    }

    private Uni<Void> record(String id, String status, Integer code, String error, Instant next) {
        Instant now = clock.instant();
        return pool.preparedQuery("update webhook_delivery set status = $2, last_status_code = $3, last_error = $4, "
                + "next_attempt_at = coalesce($5, next_attempt_at), locked_until = null, "
                + "delivered_at = case when $2 = 'delivered' then $6 else delivered_at end where id = $1")
                .execute(Tuple.from(new Object[] { id, status, code, error, next == null ? null : at(next), at(now) }))
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

    private static String describe(Throwable e) {
        String kind = e.getClass().getSimpleName();
        if (e instanceof java.util.concurrent.TimeoutException || kind.contains("Timeout")) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException || kind.contains("Connect")) {
            return "connection failed";
        }
        return "request failed (" + kind + ")";
    }

    static OffsetDateTime at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
