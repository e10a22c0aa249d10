package com.agentsecretstore.audit;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the audit chain sealer ({@code ASS_AUDIT_SEAL_INTERVAL}, {@code ASS_AUDIT_SEAL_BATCH_SIZE}). */
@ConfigMapping(prefix = "ass.audit")
public interface AuditConfig {

    /**
     * How often the sealer links new entries into the chain ({@code 1s}, {@code 500ms}, ISO-8601).
     * Read by {@link AuditSealer}'s {@code @Scheduled} expression; an entry is unsealed for at most
     * about this long after its transaction commits.
     */
    @WithDefault("1s")
    Duration sealInterval();

    /**
     * Entries sealed per transaction. A run seals batch after batch until it has caught up, so this
     * bounds the length of one transaction, not the sealer's throughput.
     */
    @WithDefault("1000")
    int sealBatchSize();
}
