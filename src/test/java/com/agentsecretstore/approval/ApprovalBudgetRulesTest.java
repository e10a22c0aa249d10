package com.agentsecretstore.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.approval.ApprovalRules.Budget;
import com.agentsecretstore.approval.ApprovalRules.Effect;
import com.agentsecretstore.approval.ApprovalRules.Narrowing;
import com.agentsecretstore.approval.ApprovalRules.Outcome;
import com.agentsecretstore.approval.ApprovalRules.State;

/** Narrowing in an approval: the budget only ever shrinks, and the transition carries it. */
class ApprovalBudgetRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Budget ASKED = new Budget("secrets:read:prod/stripe/**", 3600, 10);

    private static State pending(int required, Set<String> approvedBy, Budget budget) {
        return new State(ApprovalStatus.PENDING, "agt_r", required, 0, NOW.plusSeconds(600), null, approvedBy, budget);
    }

    private static Outcome approve(Budget budget, Narrowing n) {
        return ApprovalRules.approve(pending(2, Set.of(), budget), "prn_a", n, NOW);
    }

    @Test
    void anApprovalWithoutNarrowingLeavesTheBudget() {
        Outcome o = approve(ASKED, Narrowing.NONE);
        assertEquals(Effect.COUNTED, o.effect());
        assertNull(o.transition().budget());
    }

    @Test
    void aShorterLifetimeFewerReadsAndANarrowerScopeBecomeTheBudget() {
        Outcome o = approve(ASKED, new Narrowing("secrets:read:prod/stripe/live-key", 600, 3));
        assertEquals(new Budget("secrets:read:prod/stripe/live-key", 600, 3), o.transition().budget());
    }

    @Test
    void theLastApprovalCarriesItsNarrowingIntoTheIssue() {
        Outcome o = ApprovalRules.approve(pending(1, Set.of(), ASKED), "prn_a", new Narrowing(null, 60, null), NOW);
        assertEquals(Effect.ISSUE_NOW, o.effect());
        assertEquals(new Budget(ASKED.scope(), 60, 10), o.transition().budget());
    }

    @Test
    void aLongerLifetimeIsRefused() {
        assertEquals(ApprovalRefusal.TTL_NOT_SHORTER, approve(ASKED, new Narrowing(null, 3601, null)).refusal());
        assertEquals(ApprovalRefusal.TTL_NOT_SHORTER, approve(ASKED, new Narrowing(null, 0, null)).refusal());
    }

    @Test
    void moreReadsAreRefusedAndAnyLimitNarrowsAnUnlimitedToken() {
        assertEquals(ApprovalRefusal.USES_NOT_FEWER, approve(ASKED, new Narrowing(null, null, 11)).refusal());
        assertEquals(ApprovalRefusal.USES_NOT_FEWER, approve(ASKED, new Narrowing(null, null, 0)).refusal());
        Budget unlimited = new Budget(ASKED.scope(), 3600, null);
        assertEquals(5, approve(unlimited, new Narrowing(null, null, 5)).transition().budget().maxUses());
    }

    @Test
    void aScopeReachingBeyondTheRequestedOneIsRefused() {
        for (String wider : new String[] { "secrets:read:prod/**", "secrets:read:prod/*/live", "secrets:read:staging/stripe/x",
                "secrets:read:prod/stripe" }) {
            assertEquals(ApprovalRefusal.SCOPE_NOT_NARROWER, approve(ASKED, new Narrowing(wider, null, null)).refusal(), wider);
        }
    }

    @Test
    void aLaterApproverNarrowsWhatTheFirstLeftAndCannotWidenItBack() {
        Budget afterFirst = new Budget("secrets:read:prod/stripe/live/*", 600, 3);
        State s = pending(2, Set.of("prn_a"), afterFirst);
        assertEquals(ApprovalRefusal.SCOPE_NOT_NARROWER,
                ApprovalRules.approve(s, "prn_b", new Narrowing("secrets:read:prod/stripe/**", null, null), NOW).refusal());
        assertEquals(ApprovalRefusal.TTL_NOT_SHORTER,
                ApprovalRules.approve(s, "prn_b", new Narrowing(null, 3600, null), NOW).refusal());
        assertEquals(ApprovalRefusal.USES_NOT_FEWER,
                ApprovalRules.approve(s, "prn_b", new Narrowing(null, null, 10), NOW).refusal());
        Outcome ok = ApprovalRules.approve(s, "prn_b", new Narrowing("secrets:read:prod/stripe/live/key", 300, 1), NOW);
        assertEquals(new Budget("secrets:read:prod/stripe/live/key", 300, 1), ok.transition().budget());
    }

    @Test
    void changesNameOnlyWhatMoved() {
        Narrowing n = ApprovalRules.changes(ASKED, new Budget(ASKED.scope(), 60, 10));
        assertEquals(new Narrowing(null, 60, null), n);
        assertTrue(ApprovalRules.changes(ASKED, null).isEmpty());
    }

    @Test
    void aRepeatedAskFindsOnlyAnOpenUnexpiredRequest() {
        assertTrue(ApprovalRules.answersRepeat(pending(1, Set.of(), ASKED), NOW));
        State delayed = new State(ApprovalStatus.DELAYED, "agt_r", 1, 60, NOW.minusSeconds(1), NOW.plusSeconds(30), Set.of("a"));
        assertTrue(ApprovalRules.answersRepeat(delayed, NOW));
        State expired = new State(ApprovalStatus.PENDING, "agt_r", 1, 0, NOW.minusSeconds(1), null, Set.of());
        assertEquals(false, ApprovalRules.answersRepeat(expired, NOW));
        State denied = new State(ApprovalStatus.DENIED, "agt_r", 1, 0, NOW.plusSeconds(60), null, Set.of());
        assertEquals(false, ApprovalRules.answersRepeat(denied, NOW));
    }
}
