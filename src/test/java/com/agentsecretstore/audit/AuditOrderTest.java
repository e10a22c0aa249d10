package com.agentsecretstore.audit;

import static com.agentsecretstore.audit.AuditFixtures.SEAL_WAIT;
import static com.agentsecretstore.audit.AuditFixtures.awaitSealed;
import static com.agentsecretstore.audit.AuditFixtures.holdSealerLock;
import static com.agentsecretstore.audit.AuditFixtures.verify;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;

/**
 * Sealing and verify order entries by the number of their transaction id, also where ids gain a
 * digit (issue 11). Most tests build their own chain ({@link ScratchChain}) with entries given
 * transaction ids around every power of ten below the current one, which costs nothing; one test
 * crosses the next real power of ten when it is near enough to burn the ids up to it quickly.
 */
@QuarkusTest
class AuditOrderTest {

    /** Ids burnt at most to reach a real power of ten (about 40,000 a second here); -Daudit-test.xid-burn-budget to change. */
    static final long BURN_BUDGET = Long.getLong("audit-test.xid-burn-budget", 250_000);

    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper json;

    @Test
    void entriesAreSealedInNumericOrderAcrossEveryPowerOfTen() {
        List<Long> boundaries = boundariesBelowTheCurrentXid();
        assertTrue(boundaries.size() >= 2, "the cluster has used fewer than 110 transaction ids");
        for (int batchSize : new int[] { 1, 4, 1000 }) {
            try (ScratchChain chain = new ScratchChain(vertx, json, batchSize)) {
                int n = insertAroundEach(chain, boundaries);
                assertEquals(n, chain.seal(), "batch size " + batchSize + ": not every entry was sealed");
                assertEquals(chain.entriesInXidOrder(), chain.chain(), "batch size " + batchSize + ": the chain is not in xid order");
                VerifyResult result = chain.verify();
                assertTrue(result.valid(), "batch size " + batchSize + ": " + result.firstBroken());
                assertEquals(n, result.checked());
                assertEquals(0, result.unsealed());
            }
        }
    }

    /** Entries sealed in several runs, each run's batch cut by the row limit right at a power of ten. */
    @Test
    void aBatchCutAtAPowerOfTenSkipsNothingAndRepeatsNothing() {
        long b = boundariesBelowTheCurrentXid().get(1);
        try (ScratchChain chain = new ScratchChain(vertx, json, 3)) {
            for (long xid = b - 3; xid <= b + 2; xid++) {
                chain.insert("aud_cut_" + xid, xid);
            }
            assertEquals(6, chain.seal());
            for (long xid = b + 3; xid <= b + 5; xid++) {
                chain.insert("aud_cut_" + xid, xid);
            }
            assertEquals(3, chain.seal());
            assertEquals(chain.entriesInXidOrder(), chain.chain());
            assertTrue(chain.verify().valid());
        }
    }

    /** Verify walks on past a power of ten and names an edit made after it. */
    @Test
    void verifyFindsAnEditPastAPowerOfTen() {
        List<Long> boundaries = boundariesBelowTheCurrentXid();
        try (ScratchChain chain = new ScratchChain(vertx, json, 4)) {
            insertAroundEach(chain, boundaries);
            chain.seal();
            assertTrue(chain.verify().valid(), "the chain is broken before any edit");
            long last = boundaries.get(boundaries.size() - 1);
            String target = "aud_" + (last + 1) + "_b";
            chain.sql("update audit_entry set details = '{\"tampered\":true}' where id = '" + target + "'");
            VerifyResult result = chain.verify();
            assertFalse(result.valid());
            assertEquals(target, result.firstBroken().id());
            assertTrue(result.firstBroken().reason().contains("entry_hash"), result.firstBroken().reason());
        }
    }

    /**
     * The real thing: transaction ids burnt to just below the next power of ten, entries written one
     * transaction each until ids have crossed it, all sealed in one batch by the scheduled sealer.
     * Skipped (not failed) when that power of ten is more than {@link #BURN_BUDGET} ids away.
     */
    @Test
    void entriesWrittenAcrossARealPowerOfTenAreSealedInOrderAndVerify() throws Exception {
        long now = Db.count("select pg_current_xact_id()::text::bigint");
        long boundary = 10;
        while (boundary <= now + 500) {
            boundary *= 10;
        }
        assumeTrue(boundary - now <= BURN_BUDGET, "the next power of ten, " + boundary + ", is " + (boundary - now)
                + " transaction ids away: more than -Daudit-test.xid-burn-budget=" + BURN_BUDGET);
        String prefix = "aud_test_" + Api.unique("crossing").replace('-', '_') + "_";
        List<String> below = new ArrayList<>();
        List<String> above = new ArrayList<>();
        try (var lock = holdSealerLock(); Connection c = Db.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("set synchronous_commit = off");
                s.execute("do $$ begin for i in 1.." + (boundary - 300 - now) + " loop perform pg_current_xact_id(); commit; end loop; end $$");
            }
            try (PreparedStatement ps = c.prepareStatement("insert into audit_entry (id, recorded_at, action, outcome, details) "
                    + "values (?, now(), 'test.inserted', 'success', '{}') returning xid::text")) {
                for (int i = 0; above.size() < 5 && i < 5000; i++) {
                    String id = prefix + String.format("%04d", i);
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        (Long.parseLong(rs.getString(1)) < boundary ? below : above).add(id);
                    }
                }
            }
        }
        assertFalse(below.isEmpty(), "no entry was written below " + boundary);
        assertEquals(5, above.size(), "too few entries were written at or above " + boundary);
        await().atMost(SEAL_WAIT).until(() -> AuditFixtures.sealedCount(prefix) == below.size() + above.size());
        List<String> all = new ArrayList<>(below);
        all.addAll(above);
        long previous = 0;
        for (String id : all) {
            long seq = awaitSealed(id);
            assertTrue(seq > previous, id + " was sealed before an entry of an earlier transaction");
            previous = seq;
        }
        verify().then().statusCode(200).body("valid", equalTo(true));
    }

    /** Every power of ten with room for a few ids either side below the current transaction id. */
    static List<Long> boundariesBelowTheCurrentXid() {
        long now = Db.count("select pg_current_xact_id()::text::bigint");
        List<Long> boundaries = new ArrayList<>();
        for (long b = 10; b + 10 < now && b > 0; b *= 10) {
            boundaries.add(b);
        }
        return boundaries;
    }

    /** Two entries for each xid from b - 3 to b + 2 around each boundary, inserted in random order. */
    private static int insertAroundEach(ScratchChain chain, List<Long> boundaries) {
        List<Object[]> rows = new ArrayList<>();
        for (long b : boundaries) {
            for (long xid = b - 3; xid <= b + 2; xid++) {
                rows.add(new Object[] { "aud_" + xid + "_a", xid });
                rows.add(new Object[] { "aud_" + xid + "_b", xid });
            }
        }
        Collections.shuffle(rows, new Random(11));
        for (Object[] row : rows) {
            chain.insert((String) row[0], (Long) row[1]);
        }
        return rows.size();
    }
}
