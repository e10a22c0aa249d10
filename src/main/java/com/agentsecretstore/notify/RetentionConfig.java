package com.agentsecretstore.notify;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How long events and their outbox rows are kept ({@code ASS_RETENTION_EVENTS},
 * {@code ASS_RETENTION_WEBHOOK_DELIVERIES}, {@code ASS_RETENTION_MAIL}), and how they are pruned.
 */
@ConfigMapping(prefix = "ass.retention")
public interface RetentionConfig {

    /** Events older than this are deleted once no webhook delivery or email refers to them. */
    @WithDefault("30d")
    Duration events();

    /** Finished (delivered or failed) webhook deliveries older than this are deleted. */
    @WithDefault("30d")
    Duration webhookDeliveries();

    /** Finished (delivered or failed) emails older than this are deleted. */
    @WithDefault("30d")
    Duration mail();

    /** Rows deleted per statement: each batch is a short transaction that no request waits on. */
    @WithDefault("1000")
    int batchSize();

    /** Batches per table per run at most; the rest waits for the next run. */
    @WithDefault("100")
    int maxBatchesPerRun();

    /** How often old rows are pruned. */
    @WithDefault("1m")
    Duration interval();
}
