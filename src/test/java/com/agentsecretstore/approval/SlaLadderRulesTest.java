package com.agentsecretstore.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.approval.ApprovalRules.Effect;
import com.agentsecretstore.approval.ApprovalRules.Ladder;
import com.agentsecretstore.approval.ApprovalRules.Outcome;
import com.agentsecretstore.approval.ApprovalRules.State;
import com.agentsecretstore.notify.EventType;

/** The SLA ladder's steps in the state machine: each once, only while the request is pending and before its deadline. */
class SlaLadderRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static State pending(Ladder ladder, Instant expiresAt) {
        return new State(ApprovalStatus.PENDING, "agt_r", 2, 0, expiresAt, null, Set.of("prn_a"), ladder);
    }

    @Test
    void aDueReminderRemindsAndKeepsTheRequestPending() {
        Outcome o = ApprovalRules.remind(pending(new Ladder(NOW, null, null, null), NOW.plusSeconds(60)), NOW);
        assertEquals(Effect.REMIND, o.effect());
        assertEquals(ApprovalStatus.PENDING, o.transition().next());
        assertEquals(List.of(EventType.REMINDER), o.transition().events());
        assertEquals(1, o.transition().received());
        assertEquals(null, o.transition().decidedAt());
    }

    @Test
    void aDueEscalationEscalates() {
        Outcome o = ApprovalRules.escalate(pending(new Ladder(null, null, NOW.minusSeconds(1), null), NOW.plusSeconds(60)), NOW);
        assertEquals(Effect.ESCALATE, o.effect());
        assertEquals(List.of(EventType.ESCALATED), o.transition().events());
    }

    @Test
    void eachStepHappensOnce() {
        Ladder done = new Ladder(NOW.minusSeconds(9), NOW.minusSeconds(5), NOW.minusSeconds(8), NOW.minusSeconds(4));
        assertEquals(ApprovalRefusal.NOT_DUE, ApprovalRules.remind(pending(done, NOW.plusSeconds(60)), NOW).refusal());
        assertEquals(ApprovalRefusal.NOT_DUE, ApprovalRules.escalate(pending(done, NOW.plusSeconds(60)), NOW).refusal());
    }

    @Test
    void aStepNotYetDueOrAbsentDoesNothing() {
        Ladder later = new Ladder(NOW.plusSeconds(1), null, NOW.plusSeconds(2), null);
        assertTrue(ApprovalRules.remind(pending(later, NOW.plusSeconds(60)), NOW).refused());
        assertTrue(ApprovalRules.escalate(pending(later, NOW.plusSeconds(60)), NOW).refused());
        assertTrue(ApprovalRules.remind(pending(Ladder.NONE, NOW.plusSeconds(60)), NOW).refused());
        assertTrue(ApprovalRules.escalate(pending(Ladder.NONE, NOW.plusSeconds(60)), NOW).refused());
    }

    @Test
    void theDeadlineEndsTheLadder() {
        Ladder due = new Ladder(NOW.minusSeconds(9), null, NOW.minusSeconds(8), null);
        assertTrue(ApprovalRules.remind(pending(due, NOW), NOW).refused());
        assertTrue(ApprovalRules.escalate(pending(due, NOW.minusSeconds(1)), NOW).refused());
    }

    @Test
    void onlyAPendingRequestClimbsTheLadder() {
        Ladder due = new Ladder(NOW.minusSeconds(9), null, NOW.minusSeconds(8), null);
        for (ApprovalStatus status : ApprovalStatus.values()) {
            if (status == ApprovalStatus.PENDING) {
                continue;
            }
            State s = new State(status, "agt_r", 2, 300, NOW.plusSeconds(60), NOW.plusSeconds(30), Set.of("prn_a", "prn_b"), due);
            assertTrue(ApprovalRules.remind(s, NOW).refused(), status.name());
            assertTrue(ApprovalRules.escalate(s, NOW).refused(), status.name());
        }
    }
}
