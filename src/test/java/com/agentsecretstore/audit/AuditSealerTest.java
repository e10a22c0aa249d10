package com.agentsecretstore.audit;

import static com.agentsecretstore.audit.AuditFixtures.awaitSealed;
import static com.agentsecretstore.audit.AuditFixtures.holdSealerLock;
import static com.agentsecretstore.audit.AuditFixtures.insertEntry;
import static com.agentsecretstore.audit.AuditFixtures.newEntry;
import static com.agentsecretstore.audit.AuditFixtures.sealed;
import static com.agentsecretstore.audit.AuditFixtures.verify;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import jakarta.inject.Inject;

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

    @Test
    void sealedEntriesFormOneGaplessLinkedSequence() {
        awaitSealed(newEntry());
        assertEquals(0, Db.count("select count(*) from audit_chain "
                + "where prev_hash is null or length(prev_hash) <> 32 or entry_hash is null or length(entry_hash) <> 32"));
        assertEquals(Db.count("select max(chain_seq) from audit_chain"),
                Db.count("select count(*) from audit_chain"), "chain_seq has gaps");
        assertEquals(Db.count("select count(*) from audit_chain"),
                Db.count("select count(distinct id) from audit_chain"), "an entry is sealed twice");
        assertEquals(0, Db.count("select count(*) from audit_chain a join audit_chain b on b.chain_seq = a.chain_seq + 1 "
                + "where b.prev_hash <> a.entry_hash"), "a prev_hash does not link to the entry before");
        assertEquals(1, Db.count("select count(*) from audit_chain where chain_seq = 1 and prev_hash = ?",
                (Object) AuditChain.GENESIS));
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
        await().atMost(AuditFixtures.SEAL_WAIT).until(() -> ids.stream().allMatch(AuditFixtures::sealed));
        assertEquals(ids.size(), Db.count("select count(distinct chain_seq) from audit_chain where id = any(?)",
                (Object) ids.toArray(String[]::new)));
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
