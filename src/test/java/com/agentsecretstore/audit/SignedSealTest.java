package com.agentsecretstore.audit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.audit.AuditApi.Checkpoint;
import com.agentsecretstore.audit.AuditApi.PublicKeyView;
import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.crypto.SigningKey;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;

/**
 * What the signing key adds to the hash chain: each test builds a chain of its own
 * ({@link ScratchChain}: the real sealer, key store and verify on a schema of their own), tampers
 * with it as a database admin could, and checks that verify names what was done.
 */
@QuarkusTest
class SignedSealTest {

    private static final HexFormat HEX = HexFormat.of();

    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper json;

    /** Five entries, sealed two at a time: seals [1, 2], [3, 4], [5]. */
    private static void fiveEntries(ScratchChain chain, String prefix) {
        long xid = currentXid(chain);
        for (int i = 1; i <= 5; i++) {
            chain.insert(prefix + i, xid + i);
        }
        assertEquals(5, chain.seal());
    }

    /**
     * Ten below the current transaction id, once every transaction of the cluster that old has ended:
     * entries given the ids above it are then below the sealing horizon, even while another
     * transaction of the cluster (another build's, a bulk load's) ran long when the test began.
     */
    private static long currentXid(ScratchChain chain) {
        long xid = chain.count("select pg_current_xact_id()::text::bigint");
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> chain.count("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint") > xid);
        return xid - 10;
    }

    @Test
    void everySealIsSignedAndTheChainVerifies() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_ok_");
            assertEquals(0, chain.count("select count(*) from audit_seal where signature is null or entry_tags is null"));
            VerifyResult result = chain.verify();
            assertTrue(result.valid(), String.valueOf(result.firstBroken()));
            assertEquals(5, result.checked());
            assertNull(result.checkpointMatched());
        }
    }

    @Test
    void anEditFollowedByAFullRecomputeOfEveryHashNamesTheEditedRow() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_rc_");
            // The second entry of the second seal, so that the seal alone would not tell which row it is.
            chain.sql("update audit_entry set details = '{\"laundered\":true}' where id = 'aud_rc_4'");
            chain.recomputeEveryHash();

            VerifyResult result = chain.verify();
            assertFalse(result.valid());
            assertEquals("aud_rc_4", result.firstBroken().id());
            assertEquals(4L, result.firstBroken().chainSeq());
            assertTrue(result.firstBroken().reason().contains("recomputed"), result.firstBroken().reason());
        }
    }

    @Test
    void aSealSignedWithAnotherKeyIsNamed() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_fk_");
            chain.forgeSeal(2, SigningKey.generate("ask_forger"), false);

            VerifyResult result = chain.verify();
            assertFalse(result.valid());
            assertEquals(2L, result.firstBroken().sealSeq());
            assertEquals("aud_fk_3", result.firstBroken().id());
            assertTrue(result.firstBroken().reason().contains("signature of audit seal 2 does not verify"),
                    result.firstBroken().reason());
        }
    }

    @Test
    void aSealSignedWithAKeyInsertedIntoTheDatabaseIsNamed() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_ik_");
            chain.forgeSeal(3, SigningKey.generate("ask_inserted"), true);

            VerifyResult result = chain.verify();
            assertFalse(result.valid());
            assertEquals(3L, result.firstBroken().sealSeq());
            assertTrue(result.firstBroken().reason().contains("ask_inserted, which is not a key of this service"),
                    result.firstBroken().reason());
            assertTrue(chain.publicKeys().keys().stream().noneMatch(k -> k.keyId().equals("ask_inserted")),
                    "an inserted key is never published");
        }
    }

    @Test
    void aRemovedSignatureIsNamed() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_rs_");
            chain.sql("update audit_seal set signature = null where seq = 2");
            VerifyResult result = chain.verify();
            assertFalse(result.valid());
            assertEquals(2L, result.firstBroken().sealSeq());
            assertTrue(result.firstBroken().reason().contains("not signed"), result.firstBroken().reason());
        }
    }

    @Test
    void theCheckpointIsSignedByAPublishedKey() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_cp_");
            Checkpoint cp = chain.checkpoint();
            assertEquals(3, cp.sealSeq());
            assertEquals(5, cp.chainSeq());
            assertEquals(5, cp.firstSeq());
            PublicKeyView key = chain.publicKeys().keys().stream().filter(k -> k.keyId().equals(cp.keyId())).findFirst().orElseThrow();
            SealStatement statement = new SealStatement(cp.sealSeq(), cp.firstSeq(), cp.chainSeq(), HEX.parseHex(cp.prevHash()),
                    HEX.parseHex(cp.entryHash()), Instant.parse(cp.sealedAt()), cp.keyId());
            assertEquals(cp.sealedAt(), SealStatement.time(Instant.parse(cp.sealedAt())));
            assertTrue(SigningKey.verify(Base64.getDecoder().decode(key.publicKey()), statement.bytes(),
                    Base64.getDecoder().decode(cp.signature())));
        }
    }

    @Test
    void removingTheNewestSealsIsCaughtAgainstAnEarlierCheckpoint() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_tr_");
            Checkpoint cp = chain.checkpoint();
            VerifyResult matched = chain.verify(String.valueOf(cp.chainSeq()), cp.entryHash());
            assertTrue(matched.valid(), String.valueOf(matched.firstBroken()));
            assertEquals(Boolean.TRUE, matched.checkpointMatched());

            // Seal 3 and its entry go: what is left is a valid chain of four entries.
            chain.sql("delete from audit_entry where id = 'aud_tr_5'", "delete from audit_seal where seq = 3");
            assertTrue(chain.verify().valid(), "without a checkpoint, a shortened chain is a valid chain");

            VerifyResult result = chain.verify(String.valueOf(cp.chainSeq()), cp.entryHash());
            assertFalse(result.valid());
            assertEquals(Boolean.FALSE, result.checkpointMatched());
            assertEquals(5L, result.firstBroken().chainSeq());
            assertTrue(result.firstBroken().reason().contains("the chain ends at chain_seq 4"), result.firstBroken().reason());
        }
    }

    @Test
    void aChainThatDiffersFromTheCheckpointIsNamedAtItsPosition() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_df_");
            VerifyResult result = chain.verify("2", "00".repeat(32));
            assertFalse(result.valid());
            assertEquals("aud_df_2", result.firstBroken().id());
            assertTrue(result.firstBroken().reason().contains("differs from the checkpoint"), result.firstBroken().reason());
        }
    }

    @Test
    void rotatingTheKeyKeepsOldSealsVerifiable() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 2)) {
            fiveEntries(chain, "aud_ro_");
            String before = chain.publicKeys().activeKeyId();
            String after = chain.rotateKey().activeKeyId();
            chain.insert("aud_ro_6", currentXid(chain) + 9);
            chain.seal();

            assertEquals(2, chain.count("select count(distinct key_id) from audit_seal"));
            List<PublicKeyView> keys = chain.publicKeys().keys();
            assertTrue(keys.stream().anyMatch(k -> k.keyId().equals(before) && !k.active() && k.retiredAt() != null));
            assertTrue(keys.stream().anyMatch(k -> k.keyId().equals(after) && k.active()));
            VerifyResult result = chain.verify();
            assertTrue(result.valid(), String.valueOf(result.firstBroken()));
        }
    }

    @Test
    void sealsWrittenBeforeSigningAreSignedByTheSealer() {
        try (ScratchChain chain = new ScratchChain(vertx, json, 1000)) {
            long xid = currentXid(chain);
            for (int i = 1; i <= 3; i++) {
                chain.insert("aud_old_" + i, xid + i);
            }
            assertEquals(3, chain.sealAsBeforeTheFix(1000));
            VerifyResult unsigned = chain.verify();
            assertFalse(unsigned.valid());
            assertTrue(unsigned.firstBroken().reason().contains("not signed"), unsigned.firstBroken().reason());

            chain.seal();
            assertEquals(0, chain.count("select count(*) from audit_seal where signature is null"));
            VerifyResult result = chain.verify();
            assertTrue(result.valid(), String.valueOf(result.firstBroken()));
            assertEquals(3, result.checked());
        }
    }
}
