package com.agentsecretstore.token;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.crypto.Barrier.Sealed;
import com.agentsecretstore.crypto.OpaqueTokens;
import com.agentsecretstore.policy.AccessDecider;
import com.agentsecretstore.policy.Glob;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.secret.SecretPath;
import com.agentsecretstore.secret.SecretService;
import com.agentsecretstore.secret.SecretService.Revealed;
import com.agentsecretstore.token.TokenApi.SecretValue;
import com.agentsecretstore.token.TokenTable.Reading;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Reading a secret value: the only way any value leaves the store. The token must be unexpired,
 * unrevoked, issued to this caller (still a member of the namespace), cover the path, and carry a tier at least the effective tier of
 * the secret and of the version read (the strictest tier that version ever had). Every read, allowed or not, is audited, and the answer waits for its entry to be
 * committed.
 *
 * <p>This is the hottest path of the service, so it talks to PostgreSQL directly: one statement
 * ({@link TokenTable#reading}) reads the token, its principal's membership, the secret, the wanted
 * version and the namespace policy together (one snapshot, one round trip, no transaction since
 * nothing is written but the audit entry), and the entry is
 * committed by {@link AuditLog#appendAlone}, which shares each commit among concurrent reads.
 */
@ApplicationScoped
public class SecretReader {

    /** Bounds the compiled-scope cache; past it the cache starts over. */
    private static final int MAX_CACHED_SCOPES = 4096;

    private final Pool pool;
    private final TokenTable tokens;
    private final SecretService secrets;
    private final AccessDecider decider;
    private final AuditLog audit;
    private final Clock clock;
    private final ConcurrentHashMap<String, Glob> scopes = new ConcurrentHashMap<>();

    public SecretReader(Pool pool, TokenTable tokens, SecretService secrets, AccessDecider decider, AuditLog audit, Clock clock) {
        this.pool = pool;
        this.tokens = tokens;
        this.secrets = secrets;
        this.decider = decider;
        this.audit = audit;
        this.clock = clock;
    }

    public Uni<SecretValue> read(Caller caller, String rawPath, String tokenValue, String versionParam) {
        SecretPath path = SecretPath.parse(rawPath, "path");
        Integer version = parseVersion(versionParam);
        if (tokenValue == null || tokenValue.isBlank()) {
            return refuse(caller, path, null, "missing_token", 403,
                    "Reading a value needs a scoped token in the X-Secret-Token header.");
        }
        String presented = tokenValue.trim();
        return tokens.reading(pool, OpaqueTokens.hash(presented), path.value(), version, path.namespace())
                .flatMap(reading -> decide(caller, path, presented, reading));
    }

    private Uni<SecretValue> decide(Caller caller, SecretPath path, String presented, Reading r) {
        if (r == null || !OpaqueTokens.matches(r.hash(), presented)) {
            return refuse(caller, path, null, "unknown_token", 403, "The token is not valid.");
        }
        String tokenId = r.tokenId();
        Instant now = clock.instant();
        if (!r.principalId().equals(caller.id())) {
            return refuse(caller, path, tokenId, "other_principal", 403, "The token was issued to another principal.");
        }
        if (r.revoked()) {
            return refuse(caller, path, tokenId, "revoked_token", 403, "The token was revoked.");
        }
        if (!r.expiresAt().isAfter(now)) {
            return refuse(caller, path, tokenId, "expired_token", 403, "The token has expired.");
        }
        // Membership is read with the token, not taken from issuance: removing a principal from a
        // namespace ends its tokens there at once (admins request in any namespace, as at issuance).
        if (!r.member()) {
            return refuse(caller, path, tokenId, "not_a_member", 403,
                    "This principal is no longer a member of namespace " + path.namespace() + ".");
        }
        if (!scope(r.scopeGlob()).matches(path.value())) {
            return refuse(caller, path, tokenId, "out_of_scope", 403, "The token's scope does not cover this path.");
        }
        if (r.secretTier() == null) {
            return refuse(caller, path, tokenId, "not_found", 404, "No such secret.");
        }
        // A version needs the strictest tier it ever had, even when the secret's tier was lowered since.
        Tier own = Tier.strictest(r.secretTier(), r.versionTier());
        Tier needed = decider.effectiveTier(path.namespace(), r.policyDocument(), path.value(), own);
        if (!r.tier().atLeast(needed)) {
            return refuse(caller, path, tokenId, "tier_too_low", 403,
                    "The token's tier is below this secret's tier (" + needed.wire() + "); request a new token.");
        }
        if (r.version() == null) {
            return refuse(caller, path, tokenId, "no_such_version", 404, "No such version.");
        }
        // The last check spends a use, so a refused read never costs one.
        if (r.maxUses() == null) {
            return open(caller, path, tokenId, needed, r, null);
        }
        return tokens.spend(pool, tokenId).flatMap(left -> {
            if (left == null) {
                return refuse(caller, path, tokenId, "token_exhausted", ProblemType.TOKEN_EXHAUSTED,
                        "The token's reads (max_uses " + r.maxUses() + ") are used up; request a new token.");
            }
            return open(caller, path, tokenId, needed, r, left);
        });
    }

    private Uni<SecretValue> open(Caller caller, SecretPath path, String tokenId, Tier needed, Reading r, Integer usesLeft) {
        int version = r.version();
        Revealed revealed = secrets.open(path.value(), version, needed, new Sealed(r.masterKeyId(), r.wrappedKey(), r.ciphertext()));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("token_id", tokenId);
        details.put("version", version);
        details.put("tier", needed.wire());
        if (usesLeft != null) {
            details.put("uses_left", usesLeft);
        }
        return audit.appendAlone(AuditEvent.success(AuditAction.SECRET_READ, caller).onPath(path.namespace(), path.value())
                .onTarget(tokenId).with(details))
                .replaceWith(() -> new SecretValue(revealed.path(), revealed.version(), needed.wire(), revealed.value()));
    }

    /** Audits the refusal, and fails with it only once the entry is committed. */
    private Uni<SecretValue> refuse(Caller caller, SecretPath path, String tokenId, String reason, int status, String detail) {
        return refuse(caller, path, tokenId, reason, new ApiException(status, status == 404 ? "Not Found" : "Forbidden", detail, null));
    }

    private Uni<SecretValue> refuse(Caller caller, SecretPath path, String tokenId, String reason, ProblemType type, String detail) {
        return refuse(caller, path, tokenId, reason, new ApiException(type, detail, null, null));
    }

    private Uni<SecretValue> refuse(Caller caller, SecretPath path, String tokenId, String reason, ApiException refusal) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", reason);
        AuditEvent event = new AuditEvent(AuditAction.SECRET_READ, AuditEvent.Outcome.DENIED, caller, path.namespace(), path.value(),
                tokenId, details);
        return audit.appendAlone(event).flatMap(committed -> Uni.createFrom().failure(refusal));
    }

    private Glob scope(String glob) {
        Glob compiled = scopes.get(glob);
        if (compiled == null) {
            compiled = Glob.compile(glob);
            if (scopes.size() >= MAX_CACHED_SCOPES) {
                scopes.clear();
            }
            scopes.put(glob, compiled);
        }
        return compiled;
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
