package com.agentsecretstore.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The chain's hash and walk rules, without a database. */
class AuditChainTest {

    private static final Instant T0 = Instant.parse("2025-01-15T10:30:00.123456Z");

    @Test
    void theEncodingIsPinnedByAKnownHash() {
        // Computed independently from the documented encoding. If it changes, stored chains stop
        // verifying: change the version tag with the encoding instead.
        assertEquals("eadb4696650022abe4ace6a3c26d77f53df60959bdbec1e112aefa79f156ada3",
                HexFormat.of().formatHex(AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 1)));
    }

    @Test
    void theSameEntryAlwaysHashesTheSame() {
        assertArrayEquals(AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 1),
                AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 1));
        assertEquals(32, AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 1).length);
    }

    static Stream<Arguments> edits() {
        return Stream.of(
                edit("id", e -> e.id = "aud_2"),
                edit("recorded_at", e -> e.recordedAt = e.recordedAt.plusNanos(1000)),
                edit("action", e -> e.action = "secret.read"),
                edit("outcome", e -> e.outcome = "denied"),
                edit("actor_id", e -> e.actorId = "prn_other"),
                edit("actor_name", e -> e.actorName = "mallory"),
                edit("actor_role", e -> e.actorRole = "approver"),
                edit("namespace", e -> e.namespace = "staging"),
                edit("path", e -> e.path = "production/other"),
                edit("target_id", e -> e.targetId = "tok_2"),
                edit("source_ip", e -> e.sourceIp = "10.0.0.2"),
                edit("details", e -> e.details = "{\"version\":2}"),
                edit("details whitespace", e -> e.details = "{\"version\": 1}"),
                edit("a null column", e -> e.targetId = null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void editingAnyContentColumnChangesTheHash(String column, Consumer<AuditEntry> change) {
        AuditEntry edited = entry("aud_1");
        change.accept(edited);
        assertFalse(Arrays.equals(AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 1),
                AuditChain.hash(AuditChain.GENESIS, edited, 1)), column);
    }

    @Test
    void thePreviousHashIsPartOfTheHash() {
        byte[] other = new byte[32];
        other[31] = 1;
        assertFalse(Arrays.equals(AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 1),
                AuditChain.hash(other, entry("aud_1"), 1)));
    }

    @Test
    void theChainPositionIsPartOfTheHash() {
        assertFalse(Arrays.equals(AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 1),
                AuditChain.hash(AuditChain.GENESIS, entry("aud_1"), 2)));
    }

    @Test
    void nullAndEmptyTextHashDifferently() {
        AuditEntry nullPath = entry("aud_1");
        nullPath.path = null;
        AuditEntry emptyPath = entry("aud_1");
        emptyPath.path = "";
        assertFalse(Arrays.equals(AuditChain.hash(AuditChain.GENESIS, nullPath, 1),
                AuditChain.hash(AuditChain.GENESIS, emptyPath, 1)));
    }

    @Test
    void movingCharactersBetweenAdjacentColumnsChangesTheHash() {
        AuditEntry a = entry("aud_1");
        a.namespace = "prod";
        a.path = "uction/key";
        AuditEntry b = entry("aud_1");
        b.namespace = "production";
        b.path = "/key";
        assertFalse(Arrays.equals(AuditChain.hash(AuditChain.GENESIS, a, 1), AuditChain.hash(AuditChain.GENESIS, b, 1)));
    }

    @Test
    void timestampsBeforeTheEpochHashToo() {
        AuditEntry old = entry("aud_1");
        old.recordedAt = Instant.parse("1969-12-31T23:59:59.999999Z");
        assertEquals(-1, AuditChain.micros(old.recordedAt));
        assertNotNull(AuditChain.hash(AuditChain.GENESIS, old, 1));
    }

    @Test
    void subMicrosecondTimestampsAreRejectedBecausePostgresqlWouldNotStoreThem() {
        AuditEntry nanos = entry("aud_1");
        nanos.recordedAt = T0.plusNanos(1);
        assertThrows(IllegalArgumentException.class, () -> AuditChain.hash(AuditChain.GENESIS, nanos, 1));
    }

    @Test
    void aPreviousHashOfTheWrongLengthIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> AuditChain.hash(new byte[31], entry("aud_1"), 1));
    }

    @Test
    void anIntactChainWalksWithoutABreak() {
        List<AuditEntry> chain = chain(5);
        AuditChain.Walk walk = new AuditChain.Walk();
        chain.forEach(e -> assertNull(walk.check(e)));
        assertEquals(5, walk.checked());
        assertEquals(5, walk.headSeq());
        assertArrayEquals(chain.get(4).entryHash, walk.headHash());
    }

    @Test
    void anEditedEntryIsReportedItself() {
        List<AuditEntry> chain = chain(5);
        chain.get(2).details = "{\"version\":99}";
        AuditChain.Break broken = walk(chain);
        assertEquals("aud_3", broken.id());
        assertEquals(3L, broken.chainSeq());
        assertTrue(broken.reason().contains("entry_hash"), broken.reason());
    }

    @Test
    void aDeletedEntryIsReportedAtTheEntryAfterIt() {
        List<AuditEntry> chain = chain(5);
        chain.remove(2);
        AuditChain.Break broken = walk(chain);
        assertEquals("aud_4", broken.id());
        assertTrue(broken.reason().contains("missing"), broken.reason());
    }

    @Test
    void aDeletedFirstEntryIsReported() {
        List<AuditEntry> chain = chain(3);
        chain.remove(0);
        AuditChain.Break broken = walk(chain);
        assertEquals("aud_2", broken.id());
        assertTrue(broken.reason().contains("instead of 1"), broken.reason());
    }

    @Test
    void aDeletedEntryWhoseSuccessorWasRenumberedBreaksTheLink() {
        List<AuditEntry> chain = chain(4);
        chain.remove(1);
        chain.get(1).chainSeq = 2L;
        chain.get(2).chainSeq = 3L;
        AuditChain.Break broken = walk(chain);
        assertEquals("aud_3", broken.id());
        assertTrue(broken.reason().contains("prev_hash"), broken.reason());
    }

    @Test
    void anEditedPrevHashBreaksTheLink() {
        List<AuditEntry> chain = chain(3);
        chain.get(1).prevHash = new byte[32];
        AuditChain.Break broken = walk(chain);
        assertEquals("aud_2", broken.id());
        assertTrue(broken.reason().contains("prev_hash"), broken.reason());
    }

    @Test
    void anEntryWithoutItsHashIsReported() {
        List<AuditEntry> chain = chain(3);
        chain.get(1).entryHash = null;
        AuditChain.Break broken = walk(chain);
        assertEquals("aud_2", broken.id());
        assertTrue(broken.reason().contains("incomplete"), broken.reason());
    }

    @Test
    void aSwappedPairOfEntriesIsReported() {
        List<AuditEntry> chain = chain(4);
        AuditEntry second = chain.get(1);
        AuditEntry third = chain.get(2);
        long seq = second.chainSeq;
        second.chainSeq = third.chainSeq;
        third.chainSeq = seq;
        chain.set(1, third);
        chain.set(2, second);
        assertEquals("aud_3", walk(chain).id());
    }

    @Test
    void theWalkStopsCountingAtTheFirstBreak() {
        List<AuditEntry> chain = chain(5);
        chain.get(1).action = "edited";
        AuditChain.Walk walk = new AuditChain.Walk();
        AuditChain.Break broken = null;
        for (AuditEntry e : chain) {
            broken = walk.check(e);
            if (broken != null) {
                break;
            }
        }
        assertEquals("aud_2", broken.id());
        assertEquals(2, walk.checked());
        assertEquals(1, walk.headSeq());
    }

    private static AuditChain.Break walk(List<AuditEntry> chain) {
        AuditChain.Walk walk = new AuditChain.Walk();
        for (AuditEntry e : chain) {
            AuditChain.Break broken = walk.check(e);
            if (broken != null) {
                return broken;
            }
        }
        return null;
    }

    /** n entries linked exactly as the sealer links them. */
    private static List<AuditEntry> chain(int n) {
        List<AuditEntry> chain = new ArrayList<>();
        byte[] prev = AuditChain.GENESIS;
        for (int i = 1; i <= n; i++) {
            AuditEntry e = entry("aud_" + i);
            e.chainSeq = (long) i;
            e.prevHash = prev;
            e.entryHash = AuditChain.hash(prev, e, i);
            prev = e.entryHash;
            chain.add(e);
        }
        return chain;
    }

    private static AuditEntry entry(String id) {
        AuditEntry e = new AuditEntry();
        e.id = id;
        e.recordedAt = T0;
        e.action = "secret.write";
        e.outcome = "success";
        e.actorId = "prn_admin";
        e.actorName = "admin";
        e.actorRole = "admin";
        e.namespace = "production";
        e.path = "production/key";
        e.targetId = "tok_1";
        e.sourceIp = "10.0.0.1";
        e.details = "{\"version\":1}";
        return e;
    }

    private static Arguments edit(String column, Consumer<AuditEntry> change) {
        return Arguments.of(column, change);
    }
}
