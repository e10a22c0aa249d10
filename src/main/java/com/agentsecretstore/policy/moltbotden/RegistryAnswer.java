package com.agentsecretstore.policy.moltbotden;

import com.agentsecretstore.policy.TrustTier;

/**
 * What one registry lookup gave: a tier ({@code T2}…{@code T5}), "not registered" (404), or no usable
 * answer. {@code detail} says why in words safe to show an admin (never a body or the key).
 */
public record RegistryAnswer(Kind kind, TrustTier tier, Integer httpStatus, String detail, long durationMillis) {

    public enum Kind {
        FOUND, NOT_REGISTERED, FAILED;
    }

    public static RegistryAnswer found(TrustTier tier, int status, long millis) {
        return new RegistryAnswer(Kind.FOUND, tier, status, "trust tier " + tier.label(), millis);
    }

    public static RegistryAnswer notRegistered(long millis) {
        return new RegistryAnswer(Kind.NOT_REGISTERED, TrustTier.UNREGISTERED, 404, "not registered", millis);
    }

    public static RegistryAnswer failed(Integer status, String detail, long millis) {
        return new RegistryAnswer(Kind.FAILED, TrustTier.UNREGISTERED, status, detail, millis);
    }

    /** A real answer from the registry, worth caching; failures are asked again next time. */
    public boolean answered() {
        return kind != Kind.FAILED;
    }
}
