package com.agentsecretstore.audit;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.restassured.response.Response;

/** Shared steps of the audit tests: finding rows, waiting for the sealer, holding its lock. */
final class AuditFixtures {

    /**
     * Generous: an entry is normally sealed within the 1 s seal interval, but on a busy 2-core machine
     * (or while another test's transaction holds the horizon) it may take longer. Waits poll cheap
     * queries only, so a long wait costs nothing.
     */
    static final Duration SEAL_WAIT = Duration.ofSeconds(60);

    /**
     * Where an entry sits in the chain, by one index probe per entry: the first seal ending at or
     * after it in (xid, id) order, and its position in that seal; no row when that seal does not
     * hold it. Never through the view {@code audit_chain}, which expands every seal.
     */
    static final String PLACE = "select e.id, s.first_seq + p.i - 1 as chain_seq, "
            + "case when p.i = 1 then s.prev_hash else substring(s.entry_hashes from (p.i::int - 2) * 32 + 1 for 32) end as prev_hash, "
            + "substring(s.entry_hashes from (p.i::int - 1) * 32 + 1 for 32) as entry_hash "
            + "from audit_entry e "
            + "cross join lateral (select * from audit_seal s where (s.last_xid, s.last_id) >= (e.xid, e.id) "
            + "order by s.last_xid, s.last_id limit 1) s "
            + "cross join lateral (select array_position(s.entry_ids, e.id) as i) p "
            + "where p.i is not null and ";

    private AuditFixtures() {
    }

    /** The id of the audit row that recorded the creation of principal {@code principalId}. */
    static String creationEntry(String principalId) {
        List<Map<String, Object>> rows = Db.query(
                "select id from audit_entry where action = 'principal.create' and target_id = ?", principalId);
        if (rows.size() != 1) {
            throw new AssertionError("expected one principal.create entry for " + principalId + ", found " + rows.size());
        }
        return (String) rows.get(0).get("id");
    }

    /** Creates a principal through the API and returns the id of the audit row recording it. */
    static String newEntry() {
        return creationEntry(Api.principal("agent").id());
    }

    /** The entry's chain_seq, null while it is not sealed. */
    static Long chainSeq(String entryId) {
        List<Map<String, Object>> rows = Db.query(PLACE + "e.id = ?", entryId);
        return rows.isEmpty() ? null : (Long) rows.get(0).get("chain_seq");
    }

    static boolean sealed(String entryId) {
        return chainSeq(entryId) != null;
    }

    /** The sealed entry's prev_hash and entry_hash. */
    static Map<String, Object> place(String entryId) {
        List<Map<String, Object>> rows = Db.query(PLACE + "e.id = ?", entryId);
        if (rows.isEmpty()) {
            throw new AssertionError(entryId + " is not sealed");
        }
        return rows.get(0);
    }

    /** How many of the entries whose id starts with {@code prefix} are sealed, and at how many distinct positions. */
    static long sealedCount(String prefix) {
        return Db.count("select count(*) from (" + PLACE + "e.id like ?) x", prefix + "%");
    }

    static long sealedPositions(String prefix) {
        return Db.count("select count(distinct chain_seq) from (" + PLACE + "e.id like ?) x", prefix + "%");
    }

    /** The id of the entry at chain position {@code seq}, from the one seal that holds it. */
    static String entryAt(long seq) {
        return (String) Db.query("select entry_ids[(? - first_seq + 1)::int] as id from audit_seal where first_seq <= ? "
                + "order by first_seq desc limit 1", seq, seq).get(0).get("id");
    }

    /** Waits for the scheduled sealer (nothing else) to link the entry; returns its chain_seq. */
    static long awaitSealed(String entryId) {
        await().atMost(SEAL_WAIT).pollInterval(Duration.ofMillis(200)).until(() -> sealed(entryId));
        return chainSeq(entryId);
    }

    /** Waits until all {@code n} entries whose id starts with {@code prefix} are sealed. */
    static void awaitSealed(String prefix, long n) {
        await().atMost(SEAL_WAIT).pollInterval(Duration.ofMillis(200)).until(() -> sealedCount(prefix) == n);
    }

    /** A sealed entry that is not the chain head, so the sealer never links anything to it while a test edits it. */
    static String sealedEntryBehindTheHead() {
        String target = newEntry();
        String after = newEntry();
        awaitSealed(target);
        awaitSealed(after);
        return target;
    }

    /** Inserts an unsealed row directly, as a writer's transaction that commits now would leave it. */
    static String insertEntry(Instant recordedAt) {
        String id = "aud_test_" + Api.unique("row").replace('-', '_');
        Db.update("insert into audit_entry (id, recorded_at, action, outcome, details) values (?, ?, 'test.inserted', 'success', '{}')",
                id, OffsetDateTime.ofInstant(recordedAt, ZoneOffset.UTC));
        return id;
    }

    static Response verify() {
        return Api.admin().get("/v1/audit/verify");
    }

    /**
     * Takes the sealer's advisory lock in a transaction of its own, as a sealer on another replica
     * would. The lock is held until the returned handle is closed.
     */
    static HeldLock holdSealerLock() throws SQLException {
        Connection c = Db.connect();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("select pg_advisory_xact_lock(" + AuditSealer.LOCK_CLASS + ", hashtext(current_schema()))");
        }
        return new HeldLock(c);
    }

    record HeldLock(Connection connection) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            try {
                connection.rollback();
            } finally {
                connection.close();
            }
        }
    }
}
