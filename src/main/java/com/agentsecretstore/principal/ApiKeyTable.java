package com.agentsecretstore.principal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;


import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the {@code api_key} table: every statement on its rows is here. Authentication and the
 * credential watch read it over the plain SQL client, one statement each (every request pays them);
 * the admin operations of {@link PrincipalService} write it through the {@link ApiKey} entity in the
 * Hibernate session, inside the transaction that also writes the principal and its audit entry. The
 * session methods are static: they run in whatever session the caller has open.
 */
@ApplicationScoped
public class ApiKeyTable {

    private static final String BY_HASH = "select k.id as key_id, k.hash, k.revoked_at, k.last_used_at, "
            + "p.id as principal_id, p.name, p.role, p.namespaces, p.disabled "
            + "from api_key k join principal p on p.id = k.principal_id where k.hash = $1";
    private static final String TOUCH = "update api_key set last_used_at = $1 "
            + "where id = $2 and (last_used_at is null or last_used_at < $3)";
    private static final String STATES = "select k.id, k.revoked_at is null and not p.disabled as active, p.role, p.namespaces "
            + "from api_key k join principal p on p.id = k.principal_id where k.id = any($1)";

    /** A key found by its hash, with what authentication needs of its principal. */
    public record Credential(String keyId, byte[] hash, boolean revoked, Instant lastUsedAt, String principalId,
            String name, Role role, List<String> namespaces, boolean disabled) {

        static Credential from(Row row) {
            String[] ns = row.getArrayOfStrings("namespaces");
            return new Credential(row.getString("key_id"), row.getBuffer("hash").getBytes(), row.getValue("revoked_at") != null,
                    row.getValue("last_used_at") == null ? null : row.getOffsetDateTime("last_used_at").toInstant(),
                    row.getString("principal_id"), row.getString("name"), Role.fromWire(row.getString("role")),
                    ns == null ? List.of() : List.of(ns), row.getBoolean("disabled"));
        }
    }

    private final Pool pool;

    public ApiKeyTable(Pool pool) {
        this.pool = pool;
    }

    /** The key whose SHA-256 is {@code hash}, or null. */
    public Uni<Credential> byHash(byte[] hash) {
        return pool.preparedQuery(BY_HASH).execute(Tuple.of(Buffer.buffer(hash))).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            return it.hasNext() ? Credential.from(it.next()) : null;
        });
    }

    /** Sets last_used_at to {@code now} unless it is already at or after {@code notBefore}. */
    public Uni<Void> touch(String keyId, Instant now, Instant notBefore) {
        return pool.preparedQuery(TOUCH)
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), keyId, notBefore.atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /** The state now of each of these keys that still exists, by key id. */
    public Uni<Map<String, KeyState>> states(String[] keyIds) {
        return pool.preparedQuery(STATES).execute(Tuple.of(keyIds)).map(rows -> {
            Map<String, KeyState> states = new HashMap<>();
            for (Row row : rows) {
                states.put(row.getString("id"), KeyState.from(row));
            }
            return states;
        });
    }

    public static Uni<List<ApiKey>> ofPrincipal(String principalId) {
        return ApiKey.list("principalId = ?1 order by createdAt", principalId);
    }

    public static Uni<List<ApiKey>> ofPrincipals(List<String> principalIds) {
        return ApiKey.list("principalId in ?1 order by createdAt", principalIds);
    }

    /** The principal's key {@code keyId}, or null. */
    public static Uni<ApiKey> of(String principalId, String keyId) {
        return ApiKey.<ApiKey>find("id = ?1 and principalId = ?2", keyId, principalId).firstResult();
    }

    public static Uni<Long> activeCount(String principalId) {
        return ApiKey.count("principalId = ?1 and revokedAt is null", principalId);
    }

    public static Uni<ApiKey> insert(ApiKey key) {
        return key.persist();
    }
}
