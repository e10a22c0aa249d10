package com.agentsecretstore.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Deletes old events, webhook deliveries and emails ({@link RetentionConfig}), in batches of
 * {@code ass.retention.batch-size} rows, each batch one short statement. Request paths never wait on
 * it: it locks only the old rows it deletes, and a batch skips rows that are locked (by a dispatcher,
 * or by another replica's pruning) instead of waiting. Deliveries go first, so that their events are
 * free to go in the same run. The statements live with each table's owner ({@link WebhookDeliveries#prune},
 * {@link MailDeliveries#prune}, {@link EventTable#prune}).
 */
@ApplicationScoped
public class Retention {

    private final RetentionConfig config;
    private final Pool pool;
    private final Clock clock;

    public Retention(RetentionConfig config, Pool pool, Clock clock) {
        this.config = config;
        this.pool = pool;
        this.clock = clock;
    }

    @Scheduled(identity = "notify-retention", every = "${ass.retention.interval:1m}", delayed = "10s",
            concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return prune()
                .onFailure().invoke(e -> Log.warnf("Pruning old events and deliveries failed (%s); the next run retries",
                        e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Rows deleted this run, per table. */
    public record Pruned(long webhookDeliveries, long mail, long events) {
    }

    public Uni<Pruned> prune() {
        return prune(WebhookDeliveries::prune, config.webhookDeliveries(), 0, 0)
                .flatMap(webhooks -> prune(MailDeliveries::prune, config.mail(), 0, 0)
                        .flatMap(mail -> prune(EventTable::prune, config.events(), 0, 0)
                                .map(events -> new Pruned(webhooks, mail, events))));
    }

    /** One table's pruning statement: deletes up to {@code limit} rows created before {@code before}. */
    private interface Batch {
        Uni<Integer> delete(SqlClient client, OffsetDateTime before, int limit);
    }

    private Uni<Long> prune(Batch batch, Duration keep, int batches, long deleted) {
        OffsetDateTime before = Outbox.at(clock.instant().minus(keep));
        return batch.delete(pool, before, config.batchSize()).flatMap(count -> {
            long total = deleted + count;
            return count == config.batchSize() && batches + 1 < config.maxBatchesPerRun()
                    ? prune(batch, keep, batches + 1, total)
                    : Uni.createFrom().item(total);
        });
    }
}
