package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TrustAdjustmentTest {

    private static Requirement base(Tier tier) {
        return Requirement.defaults(tier, "policy");
    }

    /** Every cell of the reference's MoltbotDen trust table, applied to the tiers' defaults. */
    @ParameterizedTest(name = "{0} / {1} -> {2} approvals, {3} s delay")
    @CsvSource({
        "verified,     standard,  0, 0",
        "verified,     sensitive, 0, 0",
        "verified,     critical,  1, 0",
        "established,  standard,  0, 0",
        "established,  sensitive, 0, 0",
        "established,  critical,  2, 300",
        "active,       standard,  0, 0",
        "active,       sensitive, 1, 0",
        "active,       critical,  2, 300",
        "new,          standard,  0, 0",
        "new,          sensitive, 1, 0",
        "new,          critical,  2, 300",
        "unregistered, standard,  0, 0",
        "unregistered, sensitive, 1, 0",
        "unregistered, critical,  2, 300",
    })
    void trustTableCell(String trust, String tier, int approvals, int delay) {
        Requirement adjusted = TrustAdjustment.adjust(base(Tier.fromWire(tier)), TrustTier.fromWire(trust));
        assertEquals(Tier.fromWire(tier), adjusted.tier());
        assertEquals(approvals, adjusted.requiredApprovals());
        assertEquals(delay, adjusted.approvalDelaySeconds());
    }

    @Test
    void relaxationKeepsTheTierLabel() {
        Requirement adjusted = TrustAdjustment.adjust(base(Tier.CRITICAL), TrustTier.VERIFIED);
        assertEquals(Tier.CRITICAL, adjusted.tier());
    }

    @Test
    void verifiedCriticalIsCappedAtOneApprovalWhateverThePolicyAsks() {
        Requirement strict = new Requirement(Tier.CRITICAL, 4, 900, "production/stripe/*", "policy");
        Requirement adjusted = TrustAdjustment.adjust(strict, TrustTier.VERIFIED);
        assertEquals(1, adjusted.requiredApprovals());
        assertEquals(0, adjusted.approvalDelaySeconds());
    }

    @Test
    void nonRelaxingTrustKeepsAStricterPolicy() {
        Requirement strict = new Requirement(Tier.SENSITIVE, 3, 0, "production/db/*", "policy");
        assertEquals(3, TrustAdjustment.adjust(strict, TrustTier.ACTIVE).requiredApprovals());
    }

    @Test
    void establishedCriticalKeepsAStricterPolicy() {
        Requirement strict = new Requirement(Tier.CRITICAL, 3, 600, null, "policy");
        Requirement adjusted = TrustAdjustment.adjust(strict, TrustTier.ESTABLISHED);
        assertEquals(3, adjusted.requiredApprovals());
        assertEquals(600, adjusted.approvalDelaySeconds());
    }

    @Test
    void missingTrustTierCountsAsUnregistered() {
        Requirement adjusted = TrustAdjustment.adjust(base(Tier.SENSITIVE), null);
        assertEquals(1, adjusted.requiredApprovals());
        assertTrue(adjusted.reason().contains("Unregistered"), adjusted.reason());
    }

    @Test
    void adjustmentKeepsTheMatchedPattern() {
        Requirement r = new Requirement(Tier.CRITICAL, 2, 300, "production/stripe/*", "policy");
        assertEquals("production/stripe/*", TrustAdjustment.adjust(r, TrustTier.VERIFIED).matchedPattern());
    }

    @Test
    void reasonRecordsARelaxation() {
        Requirement adjusted = TrustAdjustment.adjust(base(Tier.CRITICAL), TrustTier.VERIFIED);
        assertEquals("policy; trust tier Verified (T5) relaxes critical to 1 approval", adjusted.reason());
    }

    @Test
    void reasonRecordsThatNothingChanged() {
        Requirement adjusted = TrustAdjustment.adjust(base(Tier.CRITICAL), TrustTier.ESTABLISHED);
        assertEquals("policy; trust tier Established (T4) leaves it unchanged", adjusted.reason());
    }

    @Test
    void relaxedSensitiveIsAutoApproved() {
        assertTrue(TrustAdjustment.adjust(base(Tier.SENSITIVE), TrustTier.ESTABLISHED).autoApproved());
    }

    // ---- TrustTier ----

    @ParameterizedTest
    @EnumSource(TrustTier.class)
    void wireNameRoundTrips(TrustTier tier) {
        assertEquals(tier, TrustTier.fromWire(tier.wire()));
    }

    @Test
    void wireNamesAreTheDocumentedOnes() {
        assertEquals("verified established active new unregistered",
            String.join(" ", TrustTier.VERIFIED.wire(), TrustTier.ESTABLISHED.wire(), TrustTier.ACTIVE.wire(),
                TrustTier.NEW.wire(), TrustTier.UNREGISTERED.wire()));
    }

    @Test
    void unknownWireNameIsNull() {
        assertNull(TrustTier.fromWire("Verified"));
        assertNull(TrustTier.fromWire(null));
    }

    @Test
    void levelsMapToTheirTiers() {
        assertEquals(TrustTier.VERIFIED, TrustTier.fromLevel(5));
        assertEquals(TrustTier.ESTABLISHED, TrustTier.fromLevel(4));
        assertEquals(TrustTier.ACTIVE, TrustTier.fromLevel(3));
        assertEquals(TrustTier.NEW, TrustTier.fromLevel(2));
    }

    @Test
    void unlistedLevelsAreUnregistered() {
        assertEquals(TrustTier.UNREGISTERED, TrustTier.fromLevel(1));
        assertEquals(TrustTier.UNREGISTERED, TrustTier.fromLevel(0));
        assertEquals(TrustTier.UNREGISTERED, TrustTier.fromLevel(6));
    }

    @Test
    void labelsFollowTheReferenceTable() {
        assertEquals("Verified (T5)", TrustTier.VERIFIED.label());
        assertEquals("Unregistered", TrustTier.UNREGISTERED.label());
    }
}
