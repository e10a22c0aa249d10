package com.agentsecretstore.principal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.RateLimitedException;
import com.agentsecretstore.crypto.OpaqueTokens;
import com.agentsecretstore.principal.ApiKeyTable;
import com.agentsecretstore.principal.ApiKeyTable.Credential;
import com.agentsecretstore.principal.Caller;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Turns an API key into a {@link SecurityIdentity}. Keys are found by their SHA-256 and the hash is
 * compared again in constant time; revoked keys and disabled principals fail at once (nothing is
 * cached). Every failure is audited, without the key.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {

    /** last_used_at is for humans auditing keys; minute precision spares a write per request. */
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final ApiKeyTable keys;
    private final Clock clock;
    private final AuditLog audit;
    private final AuthFailureLimiter limiter;

    public ApiKeyIdentityProvider(ApiKeyTable keys, Clock clock, AuditLog audit, AuthFailureLimiter limiter) {
        this.limiter = limiter;
        this.keys = keys;
        this.clock = clock;
        this.audit = audit;
    }

    @Override
    public Class<ApiKeyAuthenticationRequest> getRequestType() {
        return ApiKeyAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyAuthenticationRequest request, AuthenticationRequestContext context) {
        String presented = request.key();
        // Every authenticated request starts here, so this is plain SQL on the pool (ApiKeyTable): one
        // statement, no session, no transaction. Only a failure or a stale last_used_at writes anything.
        return keys.byHash(OpaqueTokens.hash(presented))
                .flatMap(key -> {
                    String failure = failure(key, presented);
                    if (failure != null) {
                        AuthFailureLimiter.Verdict verdict = limiter.failure(request.sourceIp());
                        if (verdict.limited()) {
                            return Uni.createFrom().<SecurityIdentity>failure(new RateLimitedException(
                                    "Too many failed sign-ins from this address; retry later.", verdict.retryAfterSeconds()));
                        }
                        return recordFailure(request, key, failure).replaceWith((SecurityIdentity) null);
                    }
                    Instant now = clock.instant();
                    SecurityIdentity identity = identity(key, request.sourceIp());
                    Instant stale = now.minus(LAST_USED_GRANULARITY);
                    if (key.lastUsedAt() != null && key.lastUsedAt().isAfter(stale)) {
                        return Uni.createFrom().item(identity);
                    }
                    return keys.touch(key.keyId(), now, stale).replaceWith(identity);
                })
                .onItem().ifNull().failWith(() -> new AuthenticationFailedException("invalid API key"));
    }

    private static String failure(Credential key, String presented) {
        if (key == null || !presented.startsWith("ass_")) {
            return "unknown_key";
        }
        if (!OpaqueTokens.matches(key.hash(), presented)) {
            return "unknown_key";
        }
        if (key.revoked()) {
            return "revoked_key";
        }
        if (key.disabled()) {
            return "disabled_principal";
        }
        return null;
    }

    private Uni<Void> recordFailure(ApiKeyAuthenticationRequest request, Credential key, String reason) {
        Caller actor = key == null
                ? new Caller(null, null, null, List.of(), null, request.sourceIp())
                : new Caller(key.principalId(), key.name(), key.role(), List.of(), key.keyId(), request.sourceIp());
        AuditEvent event = new AuditEvent(AuditAction.AUTH_FAILURE, AuditEvent.Outcome.DENIED, actor, null, null,
                key == null ? null : key.keyId(), Map.of("reason", reason));
        return audit.appendAlone(event);
    }

    private static SecurityIdentity identity(Credential key, String sourceIp) {
        Caller caller = new Caller(key.principalId(), key.name(), key.role(), key.namespaces(), key.keyId(), sourceIp);
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(key.principalId()))
                .addRole(key.role().wire())
                .addAttribute(Caller.ATTRIBUTE, caller)
                .build();
    }
}
