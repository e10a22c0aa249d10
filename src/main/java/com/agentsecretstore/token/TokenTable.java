package com.agentsecretstore.token;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.policy.Tier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every statement on {@code token}. Reads, issuing without approval, spending and revoking run on
 * the plain SQL client (issuing and reading are the hottest paths). Only the token of an approved
 * request and its collection go through the Hibernate session, as {@link Token} entities: they are
 * written in the transaction of the approval request they belong to.
 */
@ApplicationScoped
public class TokenTable {

    private static final String INSERT = "insert into token (id, principal_id, hash, prefix, scope, scope_glob, namespace, "
            + "tier, issued_at, expires_at, max_uses) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

    private static final String BY_ID = "select * from token where id = $1";

    private static final String REVOKE = "update token set revoked_at = $2, revoked_by = $3 where id = $1";

    /**
     * The token presented for a read with everything the read needs, in one statement (one snapshot,
     * one round trip): its principal's membership of the namespace, the secret, the wanted version
     * (the current one when none is asked) and the namespace policy.
     */
    private static final String READING = "select t.id, t.hash, t.principal_id, t.scope_glob, t.tier, t.expires_at, "
            + "t.revoked_at, t.max_uses, s.tier as secret_tier, v.version, v.tier as version_tier, v.master_key_id, "
            + "v.wrapped_key, v.ciphertext, p.document as policy_document, "
            + "(pr.role = 'admin' or $4 = any(pr.namespaces)) as member "
            + "from token t "
            + "left join principal pr on pr.id = t.principal_id "
            + "left join secret s on s.path = $2 "
            + "left join secret_version v on v.path = s.path and v.version = coalesce($3::int, s.current_version) "
            + "left join namespace_policy p on p.namespace = $4 "
            + "where t.hash = $1";

    /**
     * One atomic conditional update, so N parallel reads of a token with {@code max_uses} k succeed
     * exactly k times (no read-then-write).
     */
    private static final String SPEND = "update token set uses = uses + 1 where id = $1 and uses < max_uses "
            + "returning max_uses - uses as uses_left";

    /** A token and what a read of {@code path} needs to decide and decrypt; secret and version columns are null when absent. */
    public record Reading(String tokenId, byte[] hash, String principalId, String scopeGlob, Tier tier, Instant expiresAt,
            boolean revoked, Integer maxUses, Tier secretTier, Integer version, Tier versionTier, String masterKeyId,
            byte[] wrappedKey, byte[] ciphertext, String policyDocument, boolean member) {

        static Reading from(Row row) {
            var wrapped = row.getBuffer("wrapped_key");
            var ciphertext = row.getBuffer("ciphertext");
            return new Reading(row.getString("id"), row.getBuffer("hash").getBytes(), row.getString("principal_id"),
                    row.getString("scope_glob"), Tier.fromWire(row.getString("tier")),
                    row.getOffsetDateTime("expires_at").toInstant(), row.getValue("revoked_at") != null,
                    row.getInteger("max_uses"), Tier.fromWire(row.getString("secret_tier")), row.getInteger("version"),
                    Tier.fromWire(row.getString("version_tier")), row.getString("master_key_id"),
                    wrapped == null ? null : wrapped.getBytes(), ciphertext == null ? null : ciphertext.getBytes(),
                    row.getString("policy_document"), Boolean.TRUE.equals(row.getBoolean("member")));
        }

        @Override
        public String toString() {
            return "Reading[" + tokenId + "]";
        }
    }

    /** The token whose value hashes to {@code hash}, read with {@code path} of namespace {@code namespace}; null when none. */
    public Uni<Reading> reading(SqlClient client, byte[] hash, String path, Integer version, String namespace) {
        return client.preparedQuery(READING).execute(Tuple.of(Buffer.buffer(hash), path, version, namespace))
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    return it.hasNext() ? Reading.from(it.next()) : null;
                });
    }

    /** Spends one read of a limited token; the reads left, or null when the budget is spent. */
    public Uni<Integer> spend(SqlClient client, String tokenId) {
        return client.preparedQuery(SPEND).execute(Tuple.of(tokenId)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            return it.hasNext() ? it.next().getInteger("uses_left") : null;
        });
    }

    public Uni<Void> insert(SqlClient client, Token t) {
        return client.preparedQuery(INSERT)
                .execute(Tuple.tuple(Arrays.asList(t.id, t.principalId, Buffer.buffer(t.hash), t.prefix, t.scope, t.scopeGlob,
                        t.namespace, t.tier.wire(), utc(t.issuedAt), utc(t.expiresAt), t.maxUses)))
                .replaceWithVoid();
    }

    /** The token, or null. */
    public Uni<Token> find(SqlClient client, String id) {
        return client.preparedQuery(BY_ID).execute(Tuple.of(id)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            return it.hasNext() ? token(it.next()) : null;
        });
    }

    /** Stores the token's {@code revokedAt} and {@code revokedBy}. */
    public Uni<Void> revoke(SqlClient client, Token t) {
        return client.preparedQuery(REVOKE).execute(Tuple.of(t.id, utc(t.revokedAt), t.revokedBy)).replaceWithVoid();
    }

    /** Adds the token of an approved request to the current Hibernate transaction. */
    public Uni<Void> insertInSession(Token t) {
        return t.persist().replaceWithVoid();
    }

    /**
     * The token in the current Hibernate session, or null; changes to it are written when the
     * session's transaction commits.
     */
    public Uni<Token> findInSession(String id) {
        return Token.findById(id);
    }

    private static Token token(Row row) {
        Token t = new Token();
        t.id = row.getString("id");
        t.principalId = row.getString("principal_id");
        t.requestId = row.getString("request_id");
        var hash = row.getBuffer("hash");
        t.hash = hash == null ? null : hash.getBytes();
        t.prefix = row.getString("prefix");
        t.scope = row.getString("scope");
        t.scopeGlob = row.getString("scope_glob");
        t.namespace = row.getString("namespace");
        t.tier = Tier.fromWire(row.getString("tier"));
        t.issuedAt = instant(row.getOffsetDateTime("issued_at"));
        t.expiresAt = instant(row.getOffsetDateTime("expires_at"));
        t.collectedAt = instant(row.getOffsetDateTime("collected_at"));
        t.revokedAt = instant(row.getOffsetDateTime("revoked_at"));
        t.revokedBy = row.getString("revoked_by");
        t.maxUses = row.getInteger("max_uses");
        t.uses = row.getInteger("uses");
        return t;
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
