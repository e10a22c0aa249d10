package com.agentsecretstore.token;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.crypto.OpaqueTokens;
import com.agentsecretstore.policy.AccessDecider;
import com.agentsecretstore.policy.Glob;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.secret.Secret;
import com.agentsecretstore.secret.SecretPath;
import com.agentsecretstore.secret.SecretService;
import com.agentsecretstore.token.TokenApi.SecretValue;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Reading a secret value: the only way any value leaves the store. The token must be unexpired,
 * unrevoked, issued to this caller, cover the path, and carry a tier at least the secret's current
 * effective tier. Every read, allowed or not, is audited before the answer is sent.
 */
@ApplicationScoped
public class SecretReader {

    private final SecretService secrets;
    private final AccessDecider decider;
    private final AuditLog audit;
    private final Clock clock;

    public SecretReader(SecretService secrets, AccessDecider decider, AuditLog audit, Clock clock) {
        this.secrets = secrets;
        this.decider = decider;
        this.audit = audit;
        this.clock = clock;
    }

    /** What the transaction concluded; a refusal is thrown only after its audit row is committed. */
    private record Result(SecretValue value, int status, String detail) {
    }

    public Uni<SecretValue> read(Caller caller, String rawPath, String tokenValue, String versionParam) {
        SecretPath path = SecretPath.parse(rawPath, "path");
        Integer version = parseVersion(versionParam);
        return Panache.withTransaction(() -> decide(caller, path, tokenValue, version)).map(r -> {
            if (r.value() == null) {
                throw new ApiException(r.status(), r.status() == 404 ? "Not Found" : "Forbidden", r.detail(), null);
            }
            return r.value();
        });
    }

    private Uni<Result> decide(Caller caller, SecretPath path, String tokenValue, Integer version) {
        if (tokenValue == null || tokenValue.isBlank()) {
            return refuse(caller, path, null, "missing_token", 403,
                    "Reading a value needs a scoped token in the X-Secret-Token header.");
        }
        String presented = tokenValue.trim();
        return Token.<Token>find("hash", OpaqueTokens.hash(presented)).firstResult().flatMap(t -> {
            Instant now = clock.instant();
            if (t == null || !OpaqueTokens.matches(t.hash, presented)) {
                return refuse(caller, path, null, "unknown_token", 403, "The token is not valid.");
            }
            if (!t.principalId.equals(caller.id())) {
                return refuse(caller, path, t, "other_principal", 403, "The token was issued to another principal.");
            }
            if (t.revokedAt != null) {
                return refuse(caller, path, t, "revoked_token", 403, "The token was revoked.");
            }
            if (!t.expiresAt.isAfter(now)) {
                return refuse(caller, path, t, "expired_token", 403, "The token has expired.");
            }
            if (!Glob.compile(t.scopeGlob).matches(path.value())) {
                return refuse(caller, path, t, "out_of_scope", 403, "The token's scope does not cover this path.");
            }
            return Secret.<Secret>findById(path.value()).flatMap(secret -> {
                if (secret == null) {
                    return refuse(caller, path, t, "not_found", 404, "No such secret.");
                }
                return decider.effectiveTier(path.namespace(), path.value(), Tier.fromWire(secret.tier)).flatMap(needed -> {
                    if (!Tier.fromWire(t.tier).atLeast(needed)) {
                        return refuse(caller, path, t, "tier_too_low", 403,
                                "The token's tier is below this secret's tier (" + needed.wire() + "); request a new token.");
                    }
                    return secrets.reveal(secret, version).flatMap(revealed -> {
                        Map<String, Object> details = new LinkedHashMap<>();
                        details.put("token_id", t.id);
                        details.put("version", revealed.version());
                        details.put("tier", needed.wire());
                        return audit.append(AuditEvent.success("secret.read", caller).onPath(path.namespace(), path.value())
                                .onTarget(t.id).with(details))
                                .replaceWith(new Result(new SecretValue(revealed.path(), revealed.version(), needed.wire(),
                                        revealed.value()), 200, null));
                    });
                });
            });
        });
    }

    private Uni<Result> refuse(Caller caller, SecretPath path, Token token, String reason, int status, String detail) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", reason);
        AuditEvent event = new AuditEvent("secret.read", AuditEvent.Outcome.DENIED, caller, path.namespace(), path.value(),
                token == null ? null : token.id, details);
        return audit.append(event).replaceWith(new Result(null, status, detail));
    }

    private static Integer parseVersion(String version) {
        if (version == null || version.isEmpty()) {
            return null;
        }
        try {
            int v = Integer.parseInt(version);
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("version", "must be a positive whole number");
        }
    }
}
