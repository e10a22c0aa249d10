package com.agentsecretstore.audit;

import static com.agentsecretstore.audit.AuditFixtures.awaitSealed;
import static com.agentsecretstore.audit.AuditFixtures.holdSealerLock;
import static com.agentsecretstore.audit.AuditFixtures.insertEntry;
import static com.agentsecretstore.audit.AuditFixtures.newEntry;
import static com.agentsecretstore.audit.AuditFixtures.sealed;
import static com.agentsecretstore.audit.AuditFixtures.verify;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;

/** The sealer links committed entries into one chain, without ever making writers wait. */
@QuarkusTest
class AuditSealerTest {

    @Inject
    AuditSealer sealer;

    @Test
    void entriesWrittenByApiCallsAreSealedWithinAFewSeconds() {
        String entry = newEntry();
        assertTrue(awaitSealed(entry) > 0);
    }

    /**
     * Checked seal by seal (not by expanding every entry), over the whole chain: it holds whatever
     * other tests have written, as long as every seal was made by the sealer.
     */
    @Test
    void sealedEntriesFormOneGaplessLinkedSequence() {
        awaitSealed(newEntry());
        assertEquals(0, Db.count("select count(*) from audit_seal where length(prev_hash) <> 32 "
                + "or cardinality(entry_ids) = 0 or length(entry_hashes) <> 32 * cardinality(entry_ids)"), "a seal is malformed");
        assertEquals(1, Db.count("select count(*) from audit_seal where seq = 1 and first_seq = 1 and prev_hash = ?",
                (Object) AuditChain.GENESIS), "the chain does not start at 1 from the genesis hash");
        assertEquals(0, Db.count("select count(*) from (select seq, first_seq, prev_hash, "
                + "lag(seq) over w as prev_seq, lag(first_seq + cardinality(entry_ids)) over w as expected_first, "
                + "lag(substring(entry_hashes from length(entry_hashes) - 31)) over w as prev_head "
                + "from audit_seal window w as (order by seq)) s "
                + "where prev_seq is not null and (seq <> prev_seq + 1 or first_seq <> expected_first or prev_hash <> prev_head)"),
                "consecutive seals do not continue each other");
        assertEquals(0, Db.count("select count(*) from (select lag(last_xid) over w as px, lag(last_id) over w as pi, "
                + "last_xid, last_id from audit_seal window w as (order by seq)) s where (last_xid, last_id) <= (px, pi)"),
                "a seal does not end after the one before it");
        assertEquals(0, Db.count("select count(*) - count(distinct id) from audit_seal, unnest(entry_ids) id"),
                "an entry is sealed twice");
    }

    @Test
    void anEntryThatCommitsLateIsSealedAfterTheCurrentHead() {
        long head = awaitSealed(newEntry());
        String late = insertEntry(Instant.now().minus(Duration.ofDays(1)));
        assertTrue(awaitSealed(late) > head);
        verify().then().statusCode(200).body("valid", equalTo(true));
    }

    /**
     * An entry written by a transaction that is still open holds sealing back: entries written after
     * it wait too, so that it is not left behind the chain when it commits.
     */
    @Test
    void anOpenTransactionHoldsSealingBackAndNothingIsSkipped() throws Exception {
        String early = "aud_test_" + Api.unique("open").replace('-', '_');
        try (Connection open = Db.connect()) {
            open.setAutoCommit(false);
            try (PreparedStatement ps = open.prepareStatement("insert into audit_entry (id, recorded_at, action, outcome) "
                    + "values (?, now(), 'test.inserted', 'success')")) {
                ps.setString(1, early);
                ps.execute();
            }
            String later = insertEntry(Instant.now());
            sealNow();
            assertFalse(sealed(later), "an entry after an open transaction's entry was sealed before it");
            open.commit();
            long first = awaitSealed(early);
            assertTrue(awaitSealed(later) > first);
        }
        verify().then().statusCode(200).body("valid", equalTo(true));
    }

    /**
     * Sealing waits for the transactions of this database only: a transaction with an xid held open
     * in another database of the same cluster (entries are never written from there) does not hold
     * it back (issue 14). One held open in this database still does, as the test above shows.
     */
    @Test
    void aTransactionOpenInAnotherDatabaseDoesNotHoldSealingBack() throws Exception {
        String other = ConfigProvider.getConfig().getValue("ass.db.schema", String.class) + "_other";
        try (Connection admin = Db.connect(); Statement s = admin.createStatement()) {
            s.execute("drop database if exists " + other + " with (force)");
            s.execute("create database " + other);
        }
        try (Connection elsewhere = DriverManager.getConnection(otherDatabaseUrl(other),
                ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres"),
                ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.password", String.class).orElse(""))) {
            elsewhere.setAutoCommit(false);
            long xid;
            try (Statement s = elsewhere.createStatement(); ResultSet rs = s.executeQuery("select pg_current_xact_id()::text")) {
                rs.next();
                xid = Long.parseLong(rs.getString(1));
            }
            String entry = insertEntry(Instant.now());
            assertTrue(awaitSealed(entry) > 0);
            assertEquals(1, Db.count("select count(*) from pg_stat_activity where datname = ? and backend_xid = ?::text::xid",
                    other, Long.toString(xid)), "the other database's transaction ended before the entry was sealed");
            elsewhere.rollback();
        } finally {
            try (Connection admin = Db.connect(); Statement s = admin.createStatement()) {
                s.execute("drop database if exists " + other + " with (force)");
            }
        }
    }

    private static String otherDatabaseUrl(String database) {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + (query < 0 ? "" : url.substring(query));
    }

    @Test
    void concurrentSealersNeverForkTheChain() {
        String batch = "aud_test_" + Api.unique("bulk").replace('-', '_');
        Db.update("insert into audit_entry (id, recorded_at, action, outcome) "
                + "select ? || '_' || g, now(), 'test.inserted', 'success' from generate_series(1, 300) g", batch);
        List<String> ids = Db.query("select id from audit_entry where id like ?", batch + "\\_%").stream()
                .map(r -> (String) r.get("id")).toList();
        assertEquals(300, ids.size());
        List<CompletableFuture<Integer>> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runs.add(CompletableFuture.supplyAsync(this::sealNow));
        }
        runs.forEach(CompletableFuture::join);
        awaitSealed(batch + "_", ids.size());
        assertEquals(ids.size(), AuditFixtures.sealedPositions(batch + "_"), "an entry of the batch shares a chain position");
        verify().then().statusCode(200).body("valid", equalTo(true));
    }

    @Test
    void aSealerSkipsItsRunWhileAnotherReplicaHoldsTheLock() throws Exception {
        String entry;
        try (var lock = holdSealerLock()) {
            entry = insertEntry(Instant.now());
            int sealed = assertTimeoutPreemptively(Duration.ofSeconds(5), this::sealNow, "the sealer waited for the lock");
            assertEquals(0, sealed);
            assertFalse(sealed(entry));
        }
        awaitSealed(entry);
    }

    @Test
    void writersDoNotWaitWhileTheSealerHoldsItsLock() throws Exception {
        // A first call outside the timed part, so that a cold test client does not count as waiting.
        newEntry();
        try (var lock = holdSealerLock()) {
            String entry = assertTimeoutPreemptively(Duration.ofSeconds(5), AuditFixtures::newEntry,
                    "an audited request waited for the sealer");
            assertFalse(sealed(entry));
        }
    }

    private int sealNow() {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> sealer.sealPending());
        } catch (Throwable e) {
            throw new CompletionException(e);
        }
    }
}
