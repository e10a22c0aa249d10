package com.agentsecretstore.ops;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How a replica stops on SIGTERM ({@code ASS_SHUTDOWN_GRACE}, {@code ASS_SHUTDOWN_DELAY}); see
 * {@link GracefulShutdown}. {@link ShutdownConfigSourceFactory} turns them into Quarkus's own
 * {@code quarkus.shutdown.delay} and {@code quarkus.shutdown.timeout}.
 */
@ConfigMapping(prefix = "ass.shutdown")
public interface ShutdownConfig {

    /**
     * The whole shutdown, from SIGTERM to exit: keep it below the orchestrator's own grace period
     * (Kubernetes: {@code terminationGracePeriodSeconds}, 30 s by default).
     */
    @WithDefault("20s")
    Duration grace();

    /**
     * The first part of {@link #grace()}: the replica reports unready and keeps serving, so that the
     * load balancer stops sending it new requests before it refuses them.
     */
    @WithDefault("5s")
    Duration delay();
}
