package com.agentsecretstore.audit;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Settings of the audit chain sealer ({@code ASS_AUDIT_SEAL_INTERVAL}, {@code ASS_AUDIT_SEAL_BATCH_SIZE}) and of
 * the audit trail's partitions, retention and export ({@code ASS_AUDIT_RETENTION}, {@code ASS_AUDIT_EXPORT_DIR}).
 */
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

    /**
     * How long audit entries are kept in the database ({@code 400d}, ISO-8601); unset: forever. A day's
     * partition is exported to {@link #exportDir()} and then dropped once its whole day is older than
     * this, and only when every entry in it is sealed.
     */
    Optional<Duration> retention();

    /** Where archives of dropped partitions are written (gzip JSON Lines, one file per partition). */
    @WithDefault("audit-archive")
    String exportDir();

    /** Days of partitions created ahead of today, so that inserts never wait for one. */
    @WithDefault("3")
    int partitionsAhead();

    /** How often partitions are created ahead and expired ones archived (every replica runs it; one works at a time). */
    @WithDefault("10m")
    Duration maintenanceInterval();
}
