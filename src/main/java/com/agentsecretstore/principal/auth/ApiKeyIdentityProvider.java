package com.agentsecretstore.principal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.crypto.OpaqueTokens;
import com.agentsecretstore.principal.ApiKey;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Principal;

import io.quarkus.hibernate.reactive.panache.Panache;
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

    private final Clock clock;
    private final AuditLog audit;

    public ApiKeyIdentityProvider(Clock clock, AuditLog audit) {
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
        byte[] hash = OpaqueTokens.hash(presented);
        // A plain session for the lookup: the common case writes nothing, so it needs no
        // transaction; failures and a stale last_used_at open one just for their write.
        return Panache.withSession(() -> Panache.getSession()
                .flatMap(s -> s.createSelectionQuery(
                        "select k, p from ApiKey k, Principal p where p.id = k.principalId and k.hash = :hash", Object[].class)
                        .setParameter("hash", hash)
                        .getSingleResultOrNull())
                .flatMap(row -> {
                    ApiKey key = row == null ? null : (ApiKey) row[0];
                    Principal principal = row == null ? null : (Principal) row[1];
                    String failure = failure(key, principal, presented);
                    if (failure != null) {
                        return Panache.withTransaction(() -> recordFailure(request, key, principal, failure))
                                .replaceWith((SecurityIdentity) null);
                    }
                    Instant now = clock.instant();
                    SecurityIdentity identity = identity(principal, key, request.sourceIp());
                    if (key.lastUsedAt != null && key.lastUsedAt.isAfter(now.minus(LAST_USED_GRANULARITY))) {
                        return Uni.createFrom().item(identity);
                    }
                    return Panache.withTransaction(() -> ApiKey.update(
                            "lastUsedAt = ?1 where id = ?2 and (lastUsedAt is null or lastUsedAt < ?3)",
                            now, key.id, now.minus(LAST_USED_GRANULARITY))).replaceWith(identity);
                }))
                .onItem().ifNull().failWith(() -> new AuthenticationFailedException("invalid API key"));
    }

    private static String failure(ApiKey key, Principal principal, String presented) {
        if (key == null || principal == null || !presented.startsWith("ass_")) {
            return "unknown_key";
        }
        if (!OpaqueTokens.matches(key.hash, presented)) {
            return "unknown_key";
        }
        if (key.revokedAt != null) {
            return "revoked_key";
        }
        if (principal.disabled) {
            return "disabled_principal";
        }
        return null;
    }

    private Uni<Void> recordFailure(ApiKeyAuthenticationRequest request, ApiKey key, Principal principal, String reason) {
        Caller actor = principal == null
                ? new Caller(null, null, null, List.of(), null, request.sourceIp())
                : new Caller(principal.id, principal.name, principal.roleEnum(), List.of(), key.id, request.sourceIp());
        AuditEvent event = new AuditEvent("auth.failure", AuditEvent.Outcome.DENIED, actor, null, null,
                key == null ? null : key.id, Map.of("reason", reason));
        return audit.append(event);
    }

    private static SecurityIdentity identity(Principal p, ApiKey key, String sourceIp) {
        Caller caller = new Caller(p.id, p.name, p.roleEnum(), p.namespaces == null ? List.of() : List.of(p.namespaces),
                key.id, sourceIp);
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(p.id))
                .addRole(p.role)
                .addAttribute(Caller.ATTRIBUTE, caller)
                .build();
    }
}
