package com.agentsecretstore.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;

/**
 * Migration V7 finds seals that the sealer wrote in the text order of transaction ids before
 * issue 11 was fixed, removes them (keeping them aside), records the repair as an audit entry, and
 * the sealer then seals their entries again in order. Each test builds the broken chain in a schema
 * of its own with the old sealer's own SQL ({@link ScratchChain#sealAsBeforeTheFix}).
 */
@QuarkusTest
class AuditRepairTest {

    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper json;

    /**
     * 10 entries below a power of ten, sealed fine; then 5 each side of it: the old sealer's batch
     * of 4 takes four entries past the boundary and jumps over those below it (skipped for good),
     * and a batch of 1000 seals the rest out of order and some again.
     */
    @Test
    void theRepairRemovesMisorderedSealsAndTheSealerSealsTheirEntriesAgain() {
        long b = AuditOrderTest.boundariesBelowTheCurrentXid().get(1);
        try (ScratchChain chain = new ScratchChain(vertx, json, 1000)) {
            for (long xid = b - 15; xid < b - 5; xid++) {
                chain.insert("aud_ok_" + xid, xid);
            }
            assertEquals(10, chain.sealAsBeforeTheFix(1000));
            List<String> intact = chain.chain();
            for (long xid = b - 5; xid < b + 5; xid++) {
                chain.insert("aud_x_" + xid, xid);
            }
            assertEquals(4, chain.sealAsBeforeTheFix(4));
            chain.insert("aud_y_" + (b + 5), b + 5);
            assertTrue(chain.sealAsBeforeTheFix(1000) > 0);
            assertFalse(chain.verify().valid(), "the old sealer did not break the chain: the test proves nothing");
            long sealsBefore = chain.count("select count(*) from audit_seal");

            chain.migrateV7();

            assertEquals(1, chain.count("select count(*) from audit_seal"), "only the seal written in order stays");
            assertEquals(intact, chain.chain());
            assertEquals(sealsBefore - 1, chain.count("select count(*) from audit_seal_superseded"));
            assertEquals(1, chain.count("select count(distinct superseded_by) from audit_seal_superseded s "
                    + "join audit_entry e on e.id = s.superseded_by where e.action = 'audit.repair' and e.outcome = 'success' "
                    + "and e.actor_id = 'system' and (e.details::jsonb ->> 'first_removed_seal')::int = 2 "
                    + "and (e.details::jsonb ->> 'removed_seals')::int = " + (sealsBefore - 1)));

            chain.seal();
            VerifyResult result = chain.verify();
            assertTrue(result.valid(), String.valueOf(result.firstBroken()));
            assertEquals(chain.entriesInXidOrder(), chain.chain(), "every entry, the repair's own too, sealed once, in order");
            assertEquals(22, result.checked());
        }
    }

    @Test
    void theRepairLeavesAChainSealedInOrderAlone() {
        long b = AuditOrderTest.boundariesBelowTheCurrentXid().get(1);
        try (ScratchChain chain = new ScratchChain(vertx, json, 3)) {
            for (long xid = b - 5; xid < b + 5; xid++) {
                chain.insert("aud_ok_" + xid, xid);
            }
            chain.seal();
            List<String> sealed = chain.chain();
            chain.migrateV7();
            chain.sql("select audit_chain_repair()");
            assertEquals(sealed, chain.chain());
            assertEquals(0, chain.count("select count(*) from audit_seal_superseded"));
            assertEquals(0, chain.count("select count(*) from audit_entry where action = 'audit.repair'"));
            assertTrue(chain.verify().valid());
        }
    }

    /**
     * A mismatch the text order cannot explain (all ids of one length) is tampering: the repair
     * leaves it for verify to name instead of sealing over it.
     */
    @Test
    void theRepairDoesNotSealOverTampering() {
        long b = AuditOrderTest.boundariesBelowTheCurrentXid().get(1);
        try (ScratchChain chain = new ScratchChain(vertx, json, 1000)) {
            for (long xid = b + 10; xid < b + 20; xid++) {
                chain.insert("aud_ok_" + xid, xid);
            }
            chain.seal();
            chain.sql("insert into audit_entry (id, recorded_at, action, outcome, details, xid) "
                    + "values ('aud_ok_" + (b + 12) + "_intruder', now(), 'secret.read', 'success', '{}', '" + (b + 12) + "')");
            chain.migrateV7();
            assertEquals(0, chain.count("select count(*) from audit_seal_superseded"));
            VerifyResult result = chain.verify();
            assertFalse(result.valid());
            assertEquals("aud_ok_" + (b + 12) + "_intruder", result.firstBroken().id());
            assertNotEquals(0, chain.count("select count(*) from audit_seal"));
        }
    }
}
