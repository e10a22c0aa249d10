package com.agentsecretstore.principal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.RateLimitedException;
import com.agentsecretstore.crypto.OpaqueTokens;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Turns an API key into a {@link SecurityIdentity}. Keys are found by their SHA-256 and the hash is
 * compared again in constant time; revoked keys and disabled principals fail at once (nothing is
 * cached). Every failure is audited, without the key.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {

    /** last_used_at is for humans auditing keys; minute precision spares a write per request. */
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private static final String LOOKUP = "select k.id, k.hash, k.revoked_at, k.last_used_at, p.id, p.name, p.role, "
            + "p.namespaces, p.disabled from api_key k join principal p on p.id = k.principal_id where k.hash = $1";
    private static final String TOUCH = "update api_key set last_used_at = $1 "
            + "where id = $2 and (last_used_at is null or last_used_at < $3)";

    private final Pool pool;
    private final Clock clock;
    private final AuditLog audit;
    private final AuthFailureLimiter limiter;

    public ApiKeyIdentityProvider(Pool pool, Clock clock, AuditLog audit, AuthFailureLimiter limiter) {
        this.limiter = limiter;
        this.pool = pool;
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
        // Every authenticated request starts here, so this is plain SQL on the pool: one statement,
        // no session, no transaction. Only a failure or a stale last_used_at writes anything.
        return pool.preparedQuery(LOOKUP).execute(Tuple.of(Buffer.buffer(OpaqueTokens.hash(presented))))
                .flatMap(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    Row row = it.hasNext() ? it.next() : null;
                    KeyRow key = row == null ? null : new KeyRow(row);
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
                    if (key.lastUsedAt != null && key.lastUsedAt.isAfter(now.minus(LAST_USED_GRANULARITY))) {
                        return Uni.createFrom().item(identity);
                    }
                    return pool.preparedQuery(TOUCH)
                            .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), key.keyId,
                                    now.minus(LAST_USED_GRANULARITY).atOffset(ZoneOffset.UTC)))
                            .replaceWith(identity);
                })
                .onItem().ifNull().failWith(() -> new AuthenticationFailedException("invalid API key"));
    }

    /** The columns of {@link #LOOKUP}. */
    private static final class KeyRow {
        final String keyId;
        final byte[] hash;
        final boolean revoked;
        final Instant lastUsedAt;
        final String principalId;
        final String name;
        final String role;
        final List<String> namespaces;
        final boolean disabled;

        KeyRow(Row row) {
            keyId = row.getString(0);
            hash = row.getBuffer(1).getBytes();
            revoked = row.getValue(2) != null;
            lastUsedAt = row.getValue(3) == null ? null : row.getOffsetDateTime(3).toInstant();
            principalId = row.getString(4);
            name = row.getString(5);
            role = row.getString(6);
            String[] ns = row.getArrayOfStrings(7);
            namespaces = ns == null ? List.of() : List.of(ns);
            disabled = row.getBoolean(8);
        }
    }

    private static String failure(KeyRow key, String presented) {
        if (key == null || !presented.startsWith("ass_")) {
            return "unknown_key";
        }
        if (!OpaqueTokens.matches(key.hash, presented)) {
            return "unknown_key";
        }
        if (key.revoked) {
            return "revoked_key";
        }
        if (key.disabled) {
            return "disabled_principal";
        }
        return null;
    }

    private Uni<Void> recordFailure(ApiKeyAuthenticationRequest request, KeyRow key, String reason) {
        Caller actor = key == null
                ? new Caller(null, null, null, List.of(), null, request.sourceIp())
                : new Caller(key.principalId, key.name, Role.fromWire(key.role), List.of(), key.keyId, request.sourceIp());
        AuditEvent event = new AuditEvent(AuditAction.AUTH_FAILURE, AuditEvent.Outcome.DENIED, actor, null, null,
                key == null ? null : key.keyId, Map.of("reason", reason));
        return audit.appendAlone(event);
    }

    private static SecurityIdentity identity(KeyRow key, String sourceIp) {
        Caller caller = new Caller(key.principalId, key.name, Role.fromWire(key.role), key.namespaces, key.keyId, sourceIp);
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(key.principalId))
                .addRole(key.role)
                .addAttribute(Caller.ATTRIBUTE, caller)
                .build();
    }
}
