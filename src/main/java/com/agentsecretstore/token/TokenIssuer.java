package com.agentsecretstore.token;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.access.AccessLoader;
import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.crypto.OpaqueTokens;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.principal.Caller;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Creates, hands out and revokes scoped tokens ({@code token} through {@link TokenTable}).
 * {@link #issueNow} and {@link #revoke} commit on their own; {@link #issueForRequest} and
 * {@link #collect} join the caller's Hibernate transaction and audit there. Values exist only in the return value of
 * {@link #issueNow} and {@link #collect}.
 */
@ApplicationScoped
public class TokenIssuer {

    public static final String PREFIX = "ast_";

    private final Clock clock;
    private final AuditLog audit;
    private final Pool pool;
    private final TokenTable tokens;

    public TokenIssuer(Clock clock, AuditLog audit, Pool pool, TokenTable tokens) {
        this.clock = clock;
        this.audit = audit;
        this.pool = pool;
        this.tokens = tokens;
    }

    /** A token with its value, for a request that needed no approval. */
    public record Issued(Token token, String value) {
        @Override
        public String toString() {
            return "Issued[" + token.id + "]";
        }
    }

    /**
     * A token with its value, for a request that needed no approval. Runs on the plain SQL client in
     * a transaction of its own: the token and its audit entry commit together or not at all.
     */
    public Uni<Issued> issueNow(Caller requester, Scope scope, Tier tier, int ttlSeconds, Integer maxUses,
            Map<String, Object> why) {
        Token t = newToken(requester.id(), null, scope.value(), scope.glob().pattern(), scope.namespace(), tier, ttlSeconds,
                maxUses);
        String value = mint(t);
        Map<String, Object> details = new LinkedHashMap<>(why);
        details.put("token_id", t.id);
        details.put("tier", tier.wire());
        details.put("scope", scope.value());
        if (maxUses != null) {
            details.put("max_uses", maxUses);
        }
        return Transactions.sql(pool, tx -> tokens.insert(tx, t)
                .chain(() -> audit.append(tx, AuditEvent.success(AuditAction.TOKEN_ISSUE, requester).onPath(scope.namespace(), null)
                        .onTarget(t.id).with(details))))
                .replaceWith(() -> new Issued(t, value));
    }

    /** The token of an approved request: it exists (and its lifetime runs) from now, its value comes at collection. */
    public Uni<Token> issueForRequest(Caller actor, String requesterId, String requestId, String scope, String scopeGlob,
            String namespace, Tier tier, int ttlSeconds, Integer maxUses) {
        Token t = newToken(requesterId, requestId, scope, scopeGlob, namespace, tier, ttlSeconds, maxUses);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("approval_request_id", requestId);
        details.put("tier", tier.wire());
        details.put("scope", scope);
        details.put("requester_id", requesterId);
        details.put("ttl_seconds", ttlSeconds);
        if (maxUses != null) {
            details.put("max_uses", maxUses);
        }
        return tokens.insertInSession(t)
                .chain(() -> audit.append(AuditEvent.success(AuditAction.TOKEN_ISSUE, actor).onPath(namespace, null).onTarget(t.id)
                        .with(details)))
                .replaceWith(t);
    }

    /**
     * Gives the requester the value of an approved request's token. Each collection mints a fresh
     * value and invalidates the previous one, so a retried collection still works and no value is
     * ever stored.
     */
    public Uni<Issued> collect(Caller requester, String tokenId) {
        return tokens.findInSession(tokenId).flatMap(t -> {
            Instant now = clock.instant();
            if (t == null || !t.principalId.equals(requester.id())) {
                throw ApiException.notFound("No such token.");
            }
            if (t.revokedAt != null) {
                throw ApiException.conflict("The token was revoked.");
            }
            if (!t.expiresAt.isAfter(now)) {
                throw ApiException.conflict("The token has expired; request a new one.");
            }
            // The caller's namespaces are read at authentication, so this is the membership of now.
            if (!requester.isAdmin() && !requester.namespaces().contains(t.namespace)) {
                throw ApiException.forbidden("This principal is no longer a member of namespace " + t.namespace + ".");
            }
            String value = mint(t);
            t.collectedAt = now;
            return audit.append(AuditEvent.success(AuditAction.TOKEN_COLLECT, requester).onPath(t.namespace, null).onTarget(t.id)
                    .with(Map.of("approval_request_id", t.requestId)))
                    .replaceWith(new Issued(t, value));
        });
    }

    /** Revokes the token at once, in a transaction of its own with its audit entry. Its holder or an admin. */
    public Uni<Token> revoke(Caller caller, String tokenId) {
        return Transactions.sql(pool, tx -> tokens.find(tx, tokenId).flatMap(t -> {
            if (t == null || !AccessModel.mayManageToken(AccessLoader.who(caller), t.principalId)) {
                throw ApiException.notFound("No such token.");
            }
            if (t.revokedAt != null) {
                return Uni.createFrom().item(t);
            }
            t.revokedAt = clock.instant();
            t.revokedBy = caller.id();
            return tokens.revoke(tx, t)
                    .chain(() -> audit.append(tx, AuditEvent.success(AuditAction.TOKEN_REVOKE, caller).onPath(t.namespace, null)
                            .onTarget(t.id).with(Map.of("principal_id", t.principalId))))
                    .replaceWith(t);
        }));
    }

    /** The token as its holder or an admin sees it; 404 for anyone else, as if it did not exist. */
    public Uni<Token> get(Caller caller, String tokenId) {
        return tokens.find(pool, tokenId).map(t -> {
            if (t == null || !AccessModel.mayManageToken(AccessLoader.who(caller), t.principalId)) {
                throw ApiException.notFound("No such token.");
            }
            return t;
        });
    }

    private Token newToken(String principalId, String requestId, String scope, String scopeGlob, String namespace, Tier tier,
            int ttlSeconds, Integer maxUses) {
        Instant now = clock.instant();
        Token t = new Token();
        t.id = Ids.next("tok");
        t.principalId = principalId;
        t.requestId = requestId;
        t.scope = scope;
        t.scopeGlob = scopeGlob;
        t.namespace = namespace;
        t.tier = tier;
        t.issuedAt = now;
        t.expiresAt = now.plusSeconds(ttlSeconds);
        t.maxUses = maxUses;
        return t;
    }

    private static String mint(Token t) {
        String value = OpaqueTokens.generate(PREFIX);
        t.hash = OpaqueTokens.hash(value);
        t.prefix = OpaqueTokens.displayPrefix(value);
        return value;
    }
}
