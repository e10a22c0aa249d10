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
            + "path, target_id, source_ip, details, chain_seq, prev_hash, entry_hash";

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
                Arguments.of("entry_hash", "entry_hash = sha256(entry_hash)"),
                Arguments.of("prev_hash", "prev_hash = sha256(prev_hash)"),
                Arguments.of("chain_seq", "chain_seq = -chain_seq"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void editingAColumnOfASealedRowNamesThatRow(String column, String change) throws SQLException {
        String target = sealedEntryBehindTheHead();
        long seq = chainSeq(target);
        try (Connection c = Db.connect()) {
            save(c, target);
            try {
                exec(c, "update audit_entry set " + change + " where id = ?", target);
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(column.equals("id") ? target + "0" : target))
                        .body("first_broken.chain_seq", equalTo((int) (column.equals("chain_seq") ? -seq : seq)))
                        .body("first_broken.reason", notNullValue());
            } finally {
                exec(c, "update audit_entry a set (" + COLUMNS + ") = (select " + COLUMNS + " from saved) "
                        + "where a.id = ? or a.id = ? || '0'", target, target);
            }
        }
        verify().then().body("valid", equalTo(true));
    }

    @Test
    void deletingASealedRowNamesTheRowAfterTheGap() throws SQLException {
        String target = sealedEntryBehindTheHead();
        long seq = chainSeq(target);
        String next = (String) Db.query("select id from audit_entry where chain_seq = ?", seq + 1).get(0).get("id");
        try (Connection c = Db.connect()) {
            save(c, target);
            try {
                exec(c, "delete from audit_entry where id = ?", target);
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(next))
                        .body("first_broken.chain_seq", equalTo((int) seq + 1))
                        .body("first_broken.reason", containsString("missing"));
            } finally {
                exec(c, "insert into audit_entry (" + COLUMNS + ") select " + COLUMNS + " from saved");
            }
        }
        verify().then().body("valid", equalTo(true));
    }

    /** Recomputing the edited row's own hash does not help: the next row's prev_hash still points at the old one. */
    @Test
    void anEditWithARecomputedHashBreaksTheLinkOfTheNextRow() throws SQLException {
        String target = sealedEntryBehindTheHead();
        long seq = chainSeq(target);
        String next = (String) Db.query("select id from audit_entry where chain_seq = ?", seq + 1).get(0).get("id");
        try (Connection c = Db.connect()) {
            save(c, target);
            try {
                AuditEntry edited = load(c, target);
                edited.details = "{\"laundered\":true}";
                exec(c, "update audit_entry set details = ?, entry_hash = ? where id = ?", edited.details,
                        AuditChain.hash(edited.prevHash, edited, seq), target);
                verify().then().statusCode(200)
                        .body("valid", equalTo(false))
                        .body("first_broken.id", equalTo(next))
                        .body("first_broken.reason", containsString("prev_hash"));
            } finally {
                exec(c, "update audit_entry a set (" + COLUMNS + ") = (select " + COLUMNS + " from saved) where a.id = ?",
                        target);
            }
        }
        verify().then().body("valid", equalTo(true));
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
                e.chainSeq = rs.getLong("chain_seq");
                e.prevHash = rs.getBytes("prev_hash");
                e.entryHash = rs.getBytes("entry_hash");
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
