package com.agentsecretstore.passkey;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Passkeys and the step-up of critical approvals ({@code ass.step-up.*}, env {@code ASS_STEP_UP_*}). */
@ConfigMapping(prefix = "ass.step-up")
public interface StepUpConfig {

    /**
     * Approving a critical request needs a fresh passkey assertion made for that request. Turning it
     * off lets a stolen approver key approve critical requests alone; keep it on in production.
     */
    @WithDefault("true")
    boolean critical();

    /** The WebAuthn relying-party id (a domain, never an IP address); the host of {@code ass.public-url} when absent. */
    Optional<String> rpId();

    /** Origins the dashboard is served from, as browsers report them; the origin of {@code ass.public-url} when absent. */
    Optional<List<String>> origins();

    /** How long a registration or step-up challenge may be used, once. */
    @WithDefault("2m")
    Duration challengeTtl();

    /** Passkeys one principal may register; one more is refused with 422. */
    @WithDefault("10")
    int maxPerPrincipal();
}
