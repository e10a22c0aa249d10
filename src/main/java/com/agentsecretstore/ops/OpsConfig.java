package com.agentsecretstore.ops;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the operational metrics ({@code ASS_OPS_METRICS_INTERVAL}). */
@ConfigMapping(prefix = "ass.ops")
public interface OpsConfig {

    /**
     * How often each replica reads the backlog gauges from the database (one short query) and the
     * decisions made since its last read. Read by {@link OpsMetrics}'s {@code @Scheduled}
     * expression; gauges are at most about this old when Prometheus scrapes them.
     */
    @WithDefault("10s")
    Duration metricsInterval();
}
