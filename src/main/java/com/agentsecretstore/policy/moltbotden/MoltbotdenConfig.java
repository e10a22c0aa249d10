package com.agentsecretstore.policy.moltbotden;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The MoltbotDen registry as the environment configures it ({@code ASS_MOLTBOTDEN_*}). The on/off
 * switch and the URL may be changed at run time (Settings → Integrations, stored in the
 * {@code setting} table); the API key never leaves the environment.
 */
@ConfigMapping(prefix = "ass.moltbotden")
public interface MoltbotdenConfig {

    /** Whether trust tiers apply while no run-time setting has been stored. */
    @WithDefault("false")
    boolean enabled();

    /** Base URL of the registry, e.g. {@code https://api.moltbotden.com}; a run-time setting may replace it. */
    Optional<String> url();

    /**
     * Sent as {@code Authorization: Bearer …}, and only to the origin of {@link #url()}: a URL set at
     * run time on another origin is asked without it, so a changed setting cannot carry the key away.
     */
    Optional<String> apiKey();

    /** How long an agent's answer (a tier, or "not registered") is reused. */
    @WithDefault("5m")
    Duration cacheTtl();

    /** The most a lookup may add to a token request; past it the agent counts as Unregistered. */
    @WithDefault("2s")
    Duration timeout();
}
