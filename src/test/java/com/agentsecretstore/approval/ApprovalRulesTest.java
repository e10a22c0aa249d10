package com.agentsecretstore.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.approval.ApprovalRules.Effect;
import com.agentsecretstore.approval.ApprovalRules.State;

/** The state half of a decision; who may act is the access model's (AccessModelTest). */
class ApprovalRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static State state(ApprovalStatus status, int required, int delay, Set<String> approvedBy) {
        return new State(status, "agt_r", required, delay, NOW.plusSeconds(600), null, approvedBy);
    }

    @Test
    void theLastApprovalIssuesAtOnceOrStartsTheDelay() {
        assertEquals(Effect.ISSUE_NOW, ApprovalRules.approve(state(ApprovalStatus.PENDING, 1, 0, Set.of()), "prn_a", NOW).effect());
        assertEquals(Effect.COUNTED, ApprovalRules.approve(state(ApprovalStatus.PENDING, 2, 300, Set.of()), "prn_a", NOW).effect());
        var last = ApprovalRules.approve(state(ApprovalStatus.PENDING, 2, 300, Set.of("prn_a")), "prn_b", NOW);
        assertEquals(Effect.START_DELAY, last.effect());
        assertEquals(NOW.plusSeconds(300), last.issueAt());
    }

    @Test
    void anApproverCountsOnce() {
        var again = ApprovalRules.approve(state(ApprovalStatus.PENDING, 2, 0, Set.of("prn_a")), "prn_a", NOW);
        assertTrue(again.refused());
        assertEquals(409, again.refusalStatus());
    }

    @Test
    void aDelayedRequestIsDeniedOrCancelledButNotApproved() {
        State delayed = state(ApprovalStatus.DELAYED, 2, 300, Set.of("prn_a", "prn_b"));
        assertTrue(ApprovalRules.approve(delayed, "prn_c", NOW).refused());
        assertEquals(Effect.DENY, ApprovalRules.deny(delayed, NOW).effect());
        assertEquals(Effect.CANCEL, ApprovalRules.cancel(delayed, NOW).effect());
    }

    @Test
    void aFinalOrExpiredRequestAllowsNothingButCollectingWhenApproved() {
        for (ApprovalStatus s : ApprovalStatus.values()) {
            if (s.isFinal()) {
                State st = state(s, 1, 0, Set.of());
                assertTrue(ApprovalRules.approve(st, "prn_a", NOW).refused());
                assertTrue(ApprovalRules.deny(st, NOW).refused());
                assertTrue(ApprovalRules.cancel(st, NOW).refused());
                assertEquals(s == ApprovalStatus.APPROVED, ApprovalRules.collectable(st));
            }
        }
        State expired = new State(ApprovalStatus.PENDING, "agt_r", 1, 0, NOW.minusSeconds(1), null, Set.of());
        assertTrue(ApprovalRules.cancel(expired, NOW).refused());
        assertFalse(ApprovalRules.collectable(expired));
    }
}
