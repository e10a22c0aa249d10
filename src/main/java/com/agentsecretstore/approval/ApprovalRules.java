package com.agentsecretstore.approval;

import java.time.Instant;
import java.util.Set;

/**
 * The approval state machine, free of I/O. Who may act is {@link com.agentsecretstore.access.AccessModel}'s
 * answer, checked before these rules run (an outsider learns nothing about a request from a 409);
 * these rules decide what the request's state allows.
 */
public final class ApprovalRules {

    private ApprovalRules() {
    }

    /** What the rules need to know about a request. */
    public record State(ApprovalStatus status, String requesterId, int requiredApprovals, int delaySeconds,
            Instant expiresAt, Instant issueAt, Set<String> approvedBy) {
    }

    public enum Effect {
        /** The approval counts; more are needed. */
        COUNTED,
        /** Approvals are complete and there is no delay: issue the token now. */
        ISSUE_NOW,
        /** Approvals are complete; the token is issued at {@code issueAt}, unless cancelled before. */
        START_DELAY,
        DENY,
        CANCEL
    }

    /** Either an effect to apply, or a refusal with its HTTP status and a reason safe to show. */
    public record Outcome(Effect effect, Instant issueAt, int received, int refusalStatus, String refusal) {
        static Outcome refuse(int status, String reason) {
            return new Outcome(null, null, 0, status, reason);
        }

        static Outcome of(Effect effect, int received) {
            return new Outcome(effect, null, received, 0, null);
        }

        public boolean refused() {
            return effect == null;
        }
    }

    /** An approval by {@code approverId}, who the access model lets decide. */
    public static Outcome approve(State s, String approverId, Instant now) {
        Outcome closed = requireOpen(s, now, false);
        if (closed != null) {
            return closed;
        }
        if (s.approvedBy().contains(approverId)) {
            return Outcome.refuse(409, "This approver has already approved this request; an approver counts once.");
        }
        int received = s.approvedBy().size() + 1;
        if (received < s.requiredApprovals()) {
            return Outcome.of(Effect.COUNTED, received);
        }
        if (s.delaySeconds() > 0) {
            return new Outcome(Effect.START_DELAY, now.plusSeconds(s.delaySeconds()), received, 0, null);
        }
        return Outcome.of(Effect.ISSUE_NOW, received);
    }

    /** One denial ends the request, also during a critical delay. */
    public static Outcome deny(State s, Instant now) {
        Outcome closed = requireOpen(s, now, true);
        return closed != null ? closed : Outcome.of(Effect.DENY, s.approvedBy().size());
    }

    /** A cancellation, possible until the token is issued. */
    public static Outcome cancel(State s, Instant now) {
        Outcome closed = requireOpen(s, now, true);
        return closed != null ? closed : Outcome.of(Effect.CANCEL, s.approvedBy().size());
    }

    /** Whether there is a token to collect: the request was approved and its token issued. */
    public static boolean collectable(State s) {
        return s.status() == ApprovalStatus.APPROVED;
    }

    public static boolean dueForIssue(State s, Instant now) {
        return s.status() == ApprovalStatus.DELAYED && s.issueAt() != null && !s.issueAt().isAfter(now);
    }

    /** A pending request past its expiry. A delayed one has all its approvals and does not expire. */
    public static boolean expired(State s, Instant now) {
        return s.status() == ApprovalStatus.PENDING && !s.expiresAt().isAfter(now);
    }

    private static Outcome requireOpen(State s, Instant now, boolean delayedIsOpen) {
        if (expired(s, now)) {
            return Outcome.refuse(409, "The request has expired.");
        }
        boolean open = s.status() == ApprovalStatus.PENDING || (delayedIsOpen && s.status() == ApprovalStatus.DELAYED);
        if (!open) {
            return Outcome.refuse(409, "The request is " + s.status().wire() + ".");
        }
        return null;
    }
}
