package com.agentsecretstore.principal.oidc;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.Digests;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer access tokens that quarkus-oidc has verified (signature, issuer, audience, expiry), by the
 * SHA-256 of the token, until the token expires: each token then costs one signature check, as a
 * Kubernetes service-account token does ({@code KubernetesTokenVerifier}). Only the verification is
 * remembered: {@link OidcIdentityAugmentor} still looks the person up on every request, so disabling
 * them or changing their groups' rights takes effect at once. A token other than one already
 * verified, byte for byte, is never found here.
 *
 * <p>What this gives up: a token stays accepted until its own expiry even if the provider drops the
 * key that signed it meanwhile — which local JWT verification never checked on every request anyway.
 */
@ApplicationScoped
public class OidcBearerCache {

    /** A full cache first drops what expired, and caches nothing more if that freed no room. */
    static final int MAX_ENTRIES = 10_000;
    /** Marks an identity served from here, so that it is not remembered again on every request. */
    static final String FROM_CACHE = "ass.oidc.bearer-cached";

    private record Verified(SecurityIdentity identity, Instant expiresAt) {
    }

    private final Clock clock;
    private final Map<String, Verified> cache = new ConcurrentHashMap<>();

    public OidcBearerCache(Clock clock) {
        this.clock = clock;
    }

    /** The verified identity of this bearer, when it was verified before and has not expired. */
    public Optional<SecurityIdentity> verified(String bearer) {
        String digest = Digests.bearerKey(bearer);
        Verified known = cache.get(digest);
        if (known == null) {
            return Optional.empty();
        }
        if (!known.expiresAt().isAfter(clock.instant())) {
            cache.remove(digest);
            return Optional.empty();
        }
        return Optional.of(known.identity());
    }

    /**
     * Remembers what quarkus-oidc made of {@code bearer}, without the request it came with (the
     * identity of a later request must not carry this one's routing context).
     */
    public void remember(String bearer, SecurityIdentity verified, Instant expiresAt) {
        Instant now = clock.instant();
        if (!expiresAt.isAfter(now)) {
            return;
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.values().removeIf(v -> !v.expiresAt().isAfter(now));
            if (cache.size() >= MAX_ENTRIES) {
                return;
            }
        }
        QuarkusSecurityIdentity.Builder copy = QuarkusSecurityIdentity.builder()
                .setPrincipal(verified.getPrincipal())
                .addRoles(verified.getRoles())
                .addCredentials(verified.getCredentials())
                .addAttribute(FROM_CACHE, Boolean.TRUE);
        verified.getAttributes().forEach((name, value) -> {
            if (!name.equals(RoutingContext.class.getName())) {
                copy.addAttribute(name, value);
            }
        });
        cache.put(Digests.bearerKey(bearer), new Verified(copy.build(), expiresAt));
    }

    int cached() {
        return cache.size();
    }
}
