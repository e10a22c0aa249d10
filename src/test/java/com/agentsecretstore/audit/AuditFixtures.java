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

    /** Comfortably above the 1 s default seal interval on a busy 2-core machine. */
    static final Duration SEAL_WAIT = Duration.ofSeconds(10);

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

    static Long chainSeq(String entryId) {
        List<Map<String, Object>> rows = Db.query("select chain_seq from audit_chain where id = ?", entryId);
        return rows.isEmpty() ? null : (Long) rows.get(0).get("chain_seq");
    }

    static boolean sealed(String entryId) {
        return chainSeq(entryId) != null;
    }

    /** Waits for the scheduled sealer (nothing else) to link the entry; returns its chain_seq. */
    static long awaitSealed(String entryId) {
        await().atMost(SEAL_WAIT).pollInterval(Duration.ofMillis(100)).until(() -> sealed(entryId));
        return chainSeq(entryId);
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
