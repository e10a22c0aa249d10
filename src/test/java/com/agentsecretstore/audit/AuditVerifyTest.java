package com.agentsecretstore.audit;

import static com.agentsecretstore.audit.AuditFixtures.awaitSealed;
import static com.agentsecretstore.audit.AuditFixtures.chainSeq;
import static com.agentsecretstore.audit.AuditFixtures.holdSealerLock;
import static com.agentsecretstore.audit.AuditFixtures.newEntry;
import static com.agentsecretstore.audit.AuditFixtures.sealedEntryBehindTheHead;
import static com.agentsecretstore.audit.AuditFixtures.verify;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code GET /v1/audit/verify} names the first row that was edited or whose predecessor was
 * deleted. Every test puts the row back exactly as it was and checks the chain is whole again, since
 * the suite shares one database and verify reports only the first break.
 */
@QuarkusTest
class AuditVerifyTest {

    private static final String COLUMNS = "id, recorded_at, action, outcome, actor_id, actor_name, actor_role, namespace, "
            + "path, target_id, source_ip, details, xid";

    @Test
    void anIntactChainIsValid() {
        long seq = awaitSealed(newEntry());
        verify().then().statusCode(200)
                .body("valid", equalTo(true))
                .body("first_broken", nullValue())
                .body("checked", greaterThanOrEqualTo((int) seq))
                .body("head.chain_seq", greaterThanOrEqualTo((int) seq))
                .body("head.entry_hash", matchesPattern("[0-9a-f]{64}"));
    }

    @Test
    void unsealedEntriesAreCountedNotChecked() throws Exception {
        try (var lock = holdSealerLock()) {
            newEntry();
            verify().then().statusCode(200).body("valid", equalTo(true)).body("unsealed", greaterThanOrEqualTo(1));
        }
    }

    static Stream<Arguments> edits() {
        return Stream.of(
                Arguments.of("details", "details = '{\"tampered\":true}'"),
                Arguments.of("action", "action = 'secret.read'"),
                Arguments.of("outcome", "outcome = 'denied'"),
                Arguments.of("actor_id", "actor_id = 'prn_00000000000000000000000000'"),
                Arguments.of("actor_name", "actor_name = 'mallory'"),
                Arguments.of("actor_role", "actor_role = 'approver'"),
                Arguments.of("recorded_at", "recorded_at = recorded_at + interval '1 microsecond'"),
                Arguments.of("namespace", "namespace = 'elsewhere'"),
                Arguments.of("path", "path = 'elsewhere/key'"),
                Arguments.of("target_id", "target_id = 'agt_00000000000000000000000000'"),
                Arguments.of("source_ip", "source_ip = '203.0.113.9'"),
                Arguments.of("id", "id = id || '0'"),
                Arguments.of("xid", "xid = pg_current_xact_id()"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void editingAColumnOfASealedRowNamesThatRow(String column, String change) throws SQLException {
        String target = sealedEntryBehindTheHead();
        long seq = chainSeq(target);
        // The sealer's lock, held until the row is back: an edited xid is new, and would be sealed again meanwhile.
        try (var lock = holdSealerLock(); Connection c = Db.connect()) {
            save(c, target);
            try {
                exec(c, "update audit_entry set " + change + " where id = ?", target);
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(target))
                        .body("first_broken.chain_seq", equalTo((int) seq))
                        .body("first_broken.reason", notNullValue());
            } finally {
                exec(c, "update audit_entry a set (" + COLUMNS + ") = (select " + COLUMNS + " from saved) "
                        + "where a.id = ? or a.id = ? || '0'", target, target);
            }
        }
        verify().then().body("valid", equalTo(true));
    }

    @Test
    void deletingASealedRowNamesIt() throws SQLException {
        String target = sealedEntryBehindTheHead();
        long seq = chainSeq(target);
        try (Connection c = Db.connect()) {
            save(c, target);
            try {
                exec(c, "delete from audit_entry where id = ?", target);
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(target))
                        .body("first_broken.chain_seq", equalTo((int) seq))
                        .body("first_broken.reason", containsString("missing"));
            } finally {
                exec(c, "insert into audit_entry (" + COLUMNS + ") select " + COLUMNS + " from saved");
            }
        }
        verify().then().body("valid", equalTo(true));
    }

    /** Changing a sealed hash breaks that entry: its content no longer matches what was sealed. */
    @Test
    void editingASealedHashNamesItsEntry() throws SQLException {
        String target = sealedEntryBehindTheHead();
        long seq = chainSeq(target);
        try (Connection c = Db.connect()) {
            String restore = overwriteSealedHash(c, target, new byte[32]);
            try {
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(target))
                        .body("first_broken.chain_seq", equalTo((int) seq))
                        .body("first_broken.reason", containsString("entry_hash"));
            } finally {
                overwriteSealedHash(c, target, java.util.HexFormat.of().parseHex(restore));
            }
        }
        verify().then().body("valid", equalTo(true));
    }

    /**
     * Recomputing the edited row's hash and writing it into the seal does not help: the new hash
     * lacks the service's keyed tag (and the entry after it was hashed over the old one).
     */
    @Test
    void anEditWithARecomputedHashNamesTheEditedRow() throws SQLException {
        String target = sealedEntryBehindTheHead();
        long seq = chainSeq(target);
        try (Connection c = Db.connect()) {
            save(c, target);
            String restore = null;
            try {
                AuditEntry edited = load(c, target);
                edited.details = "{\"laundered\":true}";
                exec(c, "update audit_entry set details = ? where id = ?", edited.details, target);
                restore = overwriteSealedHash(c, target, AuditChain.hash(edited.prevHash, edited, seq));
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(target))
                        .body("first_broken.reason", containsString("recomputed"));
            } finally {
                if (restore != null) {
                    overwriteSealedHash(c, target, java.util.HexFormat.of().parseHex(restore));
                }
                exec(c, "update audit_entry a set (" + COLUMNS + ") = (select " + COLUMNS + " from saved) where a.id = ?",
                        target);
            }
        }
        verify().then().body("valid", equalTo(true));
    }

    /** A row slipped in among sealed ones is named: no seal holds it. */
    @Test
    void aRowAddedInsideASealedRangeIsNamed() throws SQLException {
        String target = sealedEntryBehindTheHead();
        // Just before the target in (xid, id) order, so inside a range that is already sealed.
        String intruder = target.substring(0, target.length() - 1);
        try (Connection c = Db.connect()) {
            exec(c, "insert into audit_entry (id, recorded_at, action, outcome, xid) "
                    + "select ?, recorded_at, 'secret.read', 'success', xid from audit_entry where id = ?", intruder, target);
            try {
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(intruder))
                        .body("first_broken.reason", containsString("added after sealing"));
            } finally {
                exec(c, "delete from audit_entry where id = ?", intruder);
            }
        }
        verify().then().body("valid", equalTo(true));
    }

    /** Writes {@code hash} as the sealed hash of entry {@code id}; returns the one it replaced, in hex. */
    private static String overwriteSealedHash(Connection c, String id, byte[] hash) throws SQLException {
        String old = java.util.HexFormat.of().formatHex((byte[]) AuditFixtures.place(id).get("entry_hash"));
        exec(c, "update audit_seal s set entry_hashes = overlay(s.entry_hashes placing ? "
                + "from (array_position(s.entry_ids, ?) - 1) * 32 + 1 for 32) where ? = any(s.entry_ids)", hash, id, id);
        return old;
    }

    @Test
    void approversMayNotVerify() {
        Api.as(Api.principal("approver", "verify").key()).get("/v1/audit/verify").then().statusCode(403);
    }

    @Test
    void agentsMayNotVerify() {
        Api.as(Api.principal("agent", "verify").key()).get("/v1/audit/verify").then().statusCode(403);
    }

    /** Copies the row into a temporary table of this connection, to put it back afterwards. */
    private static void save(Connection c, String id) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("create temp table saved (like audit_entry)");
        }
        exec(c, "insert into saved select * from audit_entry where id = ?", id);
    }

    private static AuditEntry load(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from audit_entry where id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                AuditEntry e = new AuditEntry();
                e.id = rs.getString("id");
                e.recordedAt = rs.getObject("recorded_at", java.time.OffsetDateTime.class).toInstant();
                e.action = rs.getString("action");
                e.outcome = rs.getString("outcome");
                e.actorId = rs.getString("actor_id");
                e.actorName = rs.getString("actor_name");
                e.actorRole = rs.getString("actor_role");
                e.namespace = rs.getString("namespace");
                e.path = rs.getString("path");
                e.targetId = rs.getString("target_id");
                e.sourceIp = rs.getString("source_ip");
                e.details = rs.getString("details");
                e.prevHash = (byte[]) AuditFixtures.place(id).get("prev_hash");
                return e;
            }
        }
    }

    private static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }
}
