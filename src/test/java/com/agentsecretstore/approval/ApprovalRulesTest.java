package com.agentsecretstore.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.approval.ApprovalRules.Effect;
import com.agentsecretstore.approval.ApprovalRules.State;
import com.agentsecretstore.approval.ApprovalRules.Transition;
import com.agentsecretstore.notify.EventType;
import com.agentsecretstore.passkey.StepUpResult.Verdict;

/** The state half of a decision; who may act is the access model's (AccessModelTest). */
class ApprovalRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static State state(ApprovalStatus status, int required, int delay, Set<String> approvedBy) {
        return new State(status, "agt_r", required, delay, NOW.plusSeconds(600), null, approvedBy, false);
    }

    private static State delayedUntil(Instant issueAt) {
        return new State(ApprovalStatus.DELAYED, "agt_r", 2, 300, NOW.minusSeconds(60), issueAt, Set.of("prn_a", "prn_b"), false);
    }

    @Test
    void anApprovalShortOfTheRequiredCountIsCountedAndAnnouncedAsProgress() {
        Transition t = ApprovalRules.approve(state(ApprovalStatus.PENDING, 2, 300, Set.of()), "prn_a", true, Verdict.ABSENT, NOW).transition();
        assertEquals(Effect.COUNTED, t.effect());
        assertEquals(ApprovalStatus.PENDING, t.next());
        assertEquals(DecisionKind.APPROVE, t.recorded());
        assertEquals(List.of(EventType.PROGRESS), t.events());
        assertEquals(1, t.received());
        assertNull(t.issueAt());
        assertNull(t.decidedAt());
        assertFalse(t.issuesToken());
    }

    @Test
    void theLastApprovalWithoutDelayIssuesTheTokenAtOnce() {
        Transition t = ApprovalRules.approve(state(ApprovalStatus.PENDING, 1, 0, Set.of()), "prn_a", true, Verdict.ABSENT, NOW).transition();
        assertEquals(Effect.ISSUE_NOW, t.effect());
        assertEquals(ApprovalStatus.APPROVED, t.next());
        assertEquals(NOW, t.decidedAt());
        assertEquals(List.of(EventType.APPROVED, EventType.TOKEN_ISSUED), t.events());
        assertTrue(t.issuesToken());
    }

    @Test
    void theLastApprovalWithADelayStartsTheCancelWindow() {
        Transition t = ApprovalRules.approve(state(ApprovalStatus.PENDING, 2, 300, Set.of("prn_a")), "prn_b", true, Verdict.ABSENT, NOW).transition();
        assertEquals(Effect.START_DELAY, t.effect());
        assertEquals(ApprovalStatus.DELAYED, t.next());
        assertEquals(NOW.plusSeconds(300), t.issueAt());
        assertNull(t.decidedAt());
        assertEquals(List.of(EventType.APPROVED), t.events());
        assertEquals(2, t.received());
        assertFalse(t.issuesToken());
    }

    @Test
    void anApproverCountsOnce() {
        var again = ApprovalRules.approve(state(ApprovalStatus.PENDING, 2, 0, Set.of("prn_a")), "prn_a", true, Verdict.ABSENT, NOW);
        assertEquals(ApprovalRefusal.ALREADY_APPROVED, again.refusal());
        assertNull(again.transition());
    }

    @Test
    void aDenialEndsTheRequestAndKeepsTheApprovalsCount() {
        Transition t = ApprovalRules.deny(state(ApprovalStatus.PENDING, 2, 0, Set.of("prn_a")), NOW).transition();
        assertEquals(ApprovalStatus.DENIED, t.next());
        assertEquals(DecisionKind.DENY, t.recorded());
        assertEquals(NOW, t.decidedAt());
        assertEquals(List.of(EventType.DENIED), t.events());
        assertEquals(1, t.received());
    }

    @Test
    void aCancellationEndsTheRequest() {
        Transition t = ApprovalRules.cancel(state(ApprovalStatus.PENDING, 1, 0, Set.of()), NOW).transition();
        assertEquals(ApprovalStatus.CANCELLED, t.next());
        assertEquals(DecisionKind.CANCEL, t.recorded());
        assertEquals(NOW, t.decidedAt());
        assertEquals(List.of(EventType.CANCELLED), t.events());
    }

    @Test
    void aDelayedRequestIsDeniedOrCancelledButNotApproved() {
        State delayed = state(ApprovalStatus.DELAYED, 2, 300, Set.of("prn_a", "prn_b"));
        assertEquals(ApprovalRefusal.CLOSED, ApprovalRules.approve(delayed, "prn_c", true, Verdict.ABSENT, NOW).refusal());
        assertEquals(Effect.DENY, ApprovalRules.deny(delayed, NOW).effect());
        assertEquals(Effect.CANCEL, ApprovalRules.cancel(delayed, NOW).effect());
    }

    @Test
    void aFinalRequestAllowsNothingButCollectingWhenApproved() {
        for (ApprovalStatus s : ApprovalStatus.values()) {
            if (s.isFinal()) {
                State st = state(s, 1, 0, Set.of());
                assertEquals(ApprovalRefusal.CLOSED, ApprovalRules.approve(st, "prn_a", true, Verdict.ABSENT, NOW).refusal());
                assertEquals(ApprovalRefusal.CLOSED, ApprovalRules.deny(st, NOW).refusal());
                assertEquals(ApprovalRefusal.CLOSED, ApprovalRules.cancel(st, NOW).refusal());
                assertEquals(s == ApprovalStatus.APPROVED ? null : ApprovalRefusal.NOTHING_TO_COLLECT, ApprovalRules.collect(st));
                assertTrue(ApprovalRules.issueDue(st, NOW).refused());
                assertTrue(ApprovalRules.expire(st, NOW).refused());
            }
        }
    }

    @Test
    void aPendingRequestPastItsExpiryAllowsNoDecisionAndExpires() {
        State expired = new State(ApprovalStatus.PENDING, "agt_r", 2, 0, NOW.minusSeconds(1), null, Set.of("prn_a"), false);
        assertEquals(ApprovalRefusal.EXPIRED, ApprovalRules.approve(expired, "prn_b", true, Verdict.ABSENT, NOW).refusal());
        assertEquals(ApprovalRefusal.EXPIRED, ApprovalRules.deny(expired, NOW).refusal());
        assertEquals(ApprovalRefusal.EXPIRED, ApprovalRules.cancel(expired, NOW).refusal());
        assertEquals(ApprovalRefusal.NOTHING_TO_COLLECT, ApprovalRules.collect(expired));
        Transition t = ApprovalRules.expire(expired, NOW).transition();
        assertEquals(ApprovalStatus.EXPIRED, t.next());
        assertEquals(NOW, t.decidedAt());
        assertNull(t.recorded());
        assertEquals(List.of(EventType.EXPIRED), t.events());
        assertEquals(1, t.received());
    }

    @Test
    void aPendingRequestBeforeItsExpiryDoesNotExpire() {
        assertEquals(ApprovalRefusal.NOT_DUE, ApprovalRules.expire(state(ApprovalStatus.PENDING, 1, 0, Set.of()), NOW).refusal());
    }

    @Test
    void aDelayedRequestDoesNotExpireEvenPastItsExpiry() {
        assertEquals(ApprovalRefusal.NOT_DUE, ApprovalRules.expire(delayedUntil(NOW.plusSeconds(10)), NOW).refusal());
    }

    @Test
    void aDelayedRequestIsIssuedOnceItsCancelWindowHasClosed() {
        assertEquals(ApprovalRefusal.NOT_DUE, ApprovalRules.issueDue(delayedUntil(NOW.plusSeconds(1)), NOW).refusal());
        Transition t = ApprovalRules.issueDue(delayedUntil(NOW), NOW).transition();
        assertEquals(Effect.DELAY_ELAPSED, t.effect());
        assertEquals(ApprovalStatus.APPROVED, t.next());
        assertEquals(NOW, t.decidedAt());
        assertNull(t.recorded());
        assertEquals(List.of(EventType.TOKEN_ISSUED), t.events());
        assertTrue(t.issuesToken());
        assertEquals(2, t.received());
    }

    @Test
    void aPendingRequestIsNeverIssuedByTheJob() {
        assertEquals(ApprovalRefusal.NOT_DUE, ApprovalRules.issueDue(state(ApprovalStatus.PENDING, 1, 0, Set.of()), NOW).refusal());
    }

    private static State critical(Set<String> approvedBy) {
        return new State(ApprovalStatus.PENDING, "agt_r", 2, 0, NOW.plusSeconds(600), null, approvedBy, true);
    }

    @Test
    void aCriticalApprovalWithoutAPasskeyAssertionNeedsAStepUp() {
        assertEquals(ApprovalRefusal.STEP_UP_REQUIRED, ApprovalRules.approve(critical(Set.of()), "prn_a", true, Verdict.ABSENT, NOW).refusal());
    }

    @Test
    void aCriticalApprovalWithARefusedAssertionIsRefusedAsInvalid() {
        for (Verdict v : List.of(Verdict.MALFORMED, Verdict.CHALLENGE_UNKNOWN, Verdict.UNKNOWN_PASSKEY,
                Verdict.VERIFICATION_FAILED, Verdict.COUNTER_REGRESSED)) {
            assertEquals(ApprovalRefusal.STEP_UP_INVALID, ApprovalRules.approve(critical(Set.of()), "prn_a", true, v, NOW).refusal(),
                    v.name());
        }
    }

    @Test
    void aCriticalApprovalWithAVerifiedAssertionCounts() {
        assertEquals(Effect.COUNTED, ApprovalRules.approve(critical(Set.of()), "prn_a", true, Verdict.VERIFIED, NOW).effect());
    }

    @Test
    void aClosedRequestSaysSoWhateverTheAssertion() {
        State approved = new State(ApprovalStatus.APPROVED, "agt_r", 2, 0, NOW.plusSeconds(600), null, Set.of("prn_a", "prn_b"), true);
        assertEquals(ApprovalRefusal.CLOSED, ApprovalRules.approve(approved, "prn_c", true, Verdict.ABSENT, NOW).refusal());
    }

    @Test
    void aReplayedAssertionIsRefusedAsInvalidEvenByAnApproverWhoCountedAlready() {
        assertEquals(ApprovalRefusal.STEP_UP_INVALID,
                ApprovalRules.approve(critical(Set.of("prn_a")), "prn_a", true, Verdict.CHALLENGE_UNKNOWN, NOW).refusal());
        assertEquals(ApprovalRefusal.ALREADY_APPROVED,
                ApprovalRules.approve(critical(Set.of("prn_a")), "prn_a", true, Verdict.VERIFIED, NOW).refusal());
    }

    @Test
    void anApproverWhoCountedAlreadyIsToldSoWithoutAnAssertion() {
        assertEquals(ApprovalRefusal.ALREADY_APPROVED,
                ApprovalRules.approve(critical(Set.of("prn_a")), "prn_a", true, Verdict.ABSENT, NOW).refusal());
    }

    @Test
    void withTheSettingOffACriticalApprovalNeedsNoStepUp() {
        assertFalse(ApprovalRules.stepUpRequired(critical(Set.of()), false));
        assertEquals(Effect.COUNTED, ApprovalRules.approve(critical(Set.of()), "prn_a", false, Verdict.ABSENT, NOW).effect());
    }

    @Test
    void onlyCriticalRequestsNeedAStepUp() {
        assertTrue(ApprovalRules.stepUpRequired(critical(Set.of()), true));
        assertFalse(ApprovalRules.stepUpRequired(state(ApprovalStatus.PENDING, 1, 0, Set.of()), true));
    }
}
