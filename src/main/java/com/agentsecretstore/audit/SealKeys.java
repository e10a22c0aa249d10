package com.agentsecretstore.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.agentsecretstore.common.Ids;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.crypto.Barrier;
import com.agentsecretstore.crypto.BarrierException;
import com.agentsecretstore.crypto.SigningKey;
import com.agentsecretstore.principal.Caller;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the audit signing keys (table {@code audit_signing_key}): the one active key that signs new
 * seals and receipts, the retired ones that still verify what they signed, creation on first use and
 * rotation. A stored key counts only once its sealed seed has opened under a configured master key
 * and matched its public key ({@link SigningKey#open}); a row that does not is reported, never used.
 * A key sealed under an older master key is re-wrapped under the active one when it is read, so that
 * retiring the old master key (after {@code POST /v1/system/master-keys/rewrap}) keeps it readable.
 */
@ApplicationScoped
public class SealKeys {

    /** Advisory lock class for creating or rotating the active key, per schema. */
    static final int LOCK_CLASS = 7364004;

    private static final String LOCK = "select pg_advisory_xact_lock(" + LOCK_CLASS + ", hashtext(current_schema()))";
    private static final String COLUMNS = "key_id, public_key, master_key_id, wrapped_key, sealed_seed, created_at, retired_at";
    private static final String ACTIVE = "select " + COLUMNS + " from audit_signing_key where retired_at is null";
    private static final String ALL = "select " + COLUMNS + " from audit_signing_key order by created_at, key_id";
    private static final String INSERT = "insert into audit_signing_key (" + COLUMNS + ") values ($1, $2, $3, $4, $5, $6, null)";
    private static final String RETIRE = "update audit_signing_key set retired_at = $1 where retired_at is null";
    private static final String REWRAP = "update audit_signing_key set master_key_id = $2, wrapped_key = $3 "
            + "where key_id = $1 and master_key_id = $4";

    private final Pool pool;
    private final Barrier barrier;
    private final Clock clock;
    private final AuditLog audit;
    /** Keys that opened and matched, by id. Only trusted keys are kept; a row edited later changes nothing here. */
    private final Map<String, SigningKey> opened = new ConcurrentHashMap<>();
    private volatile SigningKey current;

    public SealKeys(Pool pool, Barrier barrier, Clock clock, AuditLog audit) {
        this.pool = pool;
        this.barrier = barrier;
        this.clock = clock;
        this.audit = audit;
    }

    /** A stored key: trusted ({@code key} set) or not ({@code problem} says why). */
    public record Stored(String keyId, byte[] publicKey, Instant createdAt, Instant retiredAt, SigningKey key, String problem) {
        public boolean trusted() {
            return key != null;
        }

        public boolean active() {
            return retiredAt == null;
        }
    }

    /**
     * The active key as last read, without a database round trip: for signing inside a transaction
     * (receipts), which must not wait for a second pooled connection while it holds row locks. Every
     * sealer run on every replica ({@link #active}) and start-up refresh it, so after a rotation on
     * another replica this may sign with the just-retired key for about one seal interval; retired
     * keys stay trusted, so what it signs still verifies. Reads the database only before the first refresh.
     */
    public Uni<SigningKey> current() {
        SigningKey known = current;
        return known != null ? Uni.createFrom().item(known) : active();
    }

    /** Reads (or creates) the active key at start-up, so that {@link #current} has it before the first request. */
    void warmUp(@Observes StartupEvent event) {
        active().subscribe().with(key -> Log.debugf("Audit signing key %s is active", key.id()),
                e -> Log.warnf(e, "Reading the audit signing key at start-up failed; the sealer retries"));
    }

    /** The key that signs now, read from the database, created (and audited) if there is none yet. */
    public Uni<SigningKey> active() {
        return pool.query(ACTIVE).execute().flatMap(rows -> rows.size() == 0
                ? create(Caller.system("audit-signing-key"), false)
                : Uni.createFrom().item(trust(rows.iterator().next())))
                .map(s -> {
                    if (!s.trusted()) {
                        // Signing with a key that verify would reject helps no one; an operator must act.
                        throw new IllegalStateException("The active audit signing key " + s.keyId() + " is not usable: "
                                + s.problem() + ". Restore its master key, or rotate the signing key.");
                    }
                    current = s.key();
                    return s.key();
                });
    }

    /** Every stored key, oldest first, each trusted or not. */
    public Uni<List<Stored>> all() {
        return pool.query(ALL).execute().map(rows -> {
            List<Stored> keys = new ArrayList<>();
            for (Row row : rows) {
                keys.add(trust(row));
            }
            return keys;
        });
    }

    /** The stored keys by id, for verify. */
    public Uni<Map<String, Stored>> byId() {
        return all().map(list -> {
            Map<String, Stored> map = new LinkedHashMap<>();
            list.forEach(s -> map.put(s.keyId(), s));
            return map;
        });
    }

    /**
     * Retires the active key (it keeps verifying what it signed) and makes a new one active, in one
     * transaction with its audit entry. Replicas pick the new key up on their next seal or receipt.
     */
    public Uni<Stored> rotate(Caller caller) {
        return create(caller, true);
    }

    private Uni<Stored> create(Caller caller, boolean retireCurrent) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return Transactions.sql(pool, conn -> conn.query(LOCK).execute()
                .chain(() -> conn.query(ACTIVE).execute())
                .flatMap(rows -> {
                    if (rows.size() > 0 && !retireCurrent) {
                        return Uni.createFrom().item(trust(rows.iterator().next()));  // another replica made it first
                    }
                    String previous = rows.size() > 0 ? rows.iterator().next().getString("key_id") : null;
                    return (rows.size() > 0 ? conn.preparedQuery(RETIRE).execute(Tuple.of(utc(now))).replaceWithVoid()
                            : Uni.createFrom().voidItem()).chain(() -> insert(conn, caller, previous, now));
                }));
    }

    private Uni<Stored> insert(SqlConnection conn, Caller caller, String previous, Instant now) {
        SigningKey key = SigningKey.generate(Ids.next("ask"));
        Barrier.Sealed sealed = key.seal(barrier);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("key_id", key.id());
        details.put("algorithm", "Ed25519");
        details.put("public_key", java.util.Base64.getEncoder().encodeToString(key.publicKey()));
        if (previous != null) {
            details.put("retired_key_id", previous);
        }
        return conn.preparedQuery(INSERT).execute(Tuple.tuple(List.of(key.id(), Buffer.buffer(key.publicKey()),
                        sealed.masterKeyId(), Buffer.buffer(sealed.wrappedKey()), Buffer.buffer(sealed.ciphertext()), utc(now))))
                .chain(() -> audit.append(conn, AuditEvent.success(previous == null ? AuditAction.AUDIT_KEY_CREATE : AuditAction.AUDIT_KEY_ROTATE, caller)
                        .onTarget(key.id()).with(details)))
                .map(ignored -> {
                    opened.put(key.id(), key);
                    current = key;
                    Log.infof("Audit signing key %s is active%s", key.id(), previous == null ? "" : " (retired " + previous + ")");
                    return new Stored(key.id(), key.publicKey(), now, null, key, null);
                });
    }

    private Stored trust(Row row) {
        String id = row.getString("key_id");
        byte[] publicKey = row.getBuffer("public_key").getBytes();
        Instant created = row.getOffsetDateTime("created_at").toInstant();
        OffsetDateTime retired = row.getOffsetDateTime("retired_at");
        Instant retiredAt = retired == null ? null : retired.toInstant();
        SigningKey known = opened.get(id);
        if (known != null) {
            return new Stored(id, known.publicKey(), created, retiredAt, known, null);
        }
        Barrier.Sealed sealed = new Barrier.Sealed(row.getString("master_key_id"), row.getBuffer("wrapped_key").getBytes(),
                row.getBuffer("sealed_seed").getBytes());
        try {
            SigningKey key = SigningKey.open(barrier, id, publicKey, sealed);
            opened.put(id, key);
            if (barrier.needsRewrap(sealed)) {
                rewrap(id, sealed);
            }
            return new Stored(id, publicKey, created, retiredAt, key, null);
        } catch (BarrierException e) {
            Log.warnf("Audit signing key %s is not trusted: %s", id, e.getMessage());
            return new Stored(id, publicKey, created, retiredAt, null,
                    "its private key does not open under a configured master key, or does not match its public key");
        }
    }

    /** Moves the key under the active master key; a failure only means it is tried again on the next read. */
    private void rewrap(String id, Barrier.Sealed sealed) {
        Barrier.Sealed moved = SigningKey.rewrap(barrier, id, sealed);
        pool.preparedQuery(REWRAP).execute(Tuple.of(id, moved.masterKeyId(), Buffer.buffer(moved.wrappedKey()), sealed.masterKeyId()))
                .subscribe().with(done -> Log.infof("Audit signing key %s re-wrapped under master key %s", id, moved.masterKeyId()),
                        e -> Log.warnf(e, "Re-wrapping audit signing key %s failed; the next read retries", id));
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
