package com.agentsecretstore.approval;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.agentsecretstore.notify.EventType;
import com.agentsecretstore.passkey.StepUpResult.Verdict;

/**
 * The approval state machine, free of I/O. Who may act is {@link com.agentsecretstore.access.AccessModel}'s
 * answer, checked before these rules run (an outsider learns nothing about a request from a 409);
 * these rules decide what the request's state allows, and return either the complete
 * {@link Transition} to apply or a typed {@link ApprovalRefusal}. The scheduled jobs and the
 * namespace-removal cancellation ask the same rules: their SQL only narrows the candidates
 * ({@link #DUE_FOR_ISSUE_SQL}, {@link #EXPIRED_SQL}, {@link #OPEN_SQL}) and every row is then judged here.
 */
public final class ApprovalRules {

    /** Candidates of {@link #issueDue}; the rule itself decides. Parameter {@code :now}. */
    static final String DUE_FOR_ISSUE_SQL = "status = 'delayed' and issue_at <= :now";
    /** Candidates of {@link #expire}; the rule itself decides. Parameter {@code :now}. */
    static final String EXPIRED_SQL = "status = 'pending' and expires_at <= :now";
    /** Requests not final yet: candidates of a cancellation. */
    static final String OPEN_SQL = "status in ('pending', 'delayed')";

    private ApprovalRules() {
    }

    /** What the rules need to know about a request. */
    public record State(ApprovalStatus status, String requesterId, int requiredApprovals, int delaySeconds,
            Instant expiresAt, Instant issueAt, Set<String> approvedBy, boolean critical) {
    }

    /** What a transition does, as audited ({@code effect}). */
    public enum Effect {
        /** The approval counts; more are needed. */
        COUNTED,
        /** Approvals are complete and there is no delay: issue the token now. */
        ISSUE_NOW,
        /** Approvals are complete; the token is issued at {@code issueAt}, unless cancelled before. */
        START_DELAY,
        DENY,
        CANCEL,
        /** The cancel window of a delayed request closed: issue the token. */
        DELAY_ELAPSED,
        EXPIRE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Everything one step changes: the next status, the new {@code issue_at} and {@code decided_at}
     * (null: unchanged), the decision to record (null: none), the events to publish in order, and
     * the approvals received after the step. The token is issued when, and just before,
     * {@link EventType#TOKEN_ISSUED} is published.
     */
    public record Transition(Effect effect, ApprovalStatus next, Instant issueAt, Instant decidedAt,
            DecisionKind recorded, List<String> events, int received) {

        public boolean issuesToken() {
            return events.contains(EventType.TOKEN_ISSUED);
        }
    }

    /** Either a transition or a refusal, never both. */
    public record Outcome(Transition transition, ApprovalRefusal refusal) {
        static Outcome of(Transition t) {
            return new Outcome(t, null);
        }

        static Outcome refuse(ApprovalRefusal r) {
            return new Outcome(null, r);
        }

        public boolean refused() {
            return refusal != null;
        }

        public Effect effect() {
            return transition == null ? null : transition.effect();
        }
    }

    /**
     * Whether approving the request needs a passkey step-up: a critical request does, unless the
     * service runs with {@code ass.step-up.critical=false}. An admin steps up like anyone else, and
     * an approver with only an API key cannot approve critical requests.
     */
    public static boolean stepUpRequired(State s, boolean stepUpCritical) {
        return stepUpCritical && s.critical();
    }

    /**
     * An approval by {@code approverId}, who the access model lets decide, with the verdict on the
     * passkey assertion it presented ({@link Verdict#ABSENT} when none). A closed or expired request
     * says so whatever the assertion; then a refused assertion, then "already approved", then a
     * missing assertion.
     */
    public static Outcome approve(State s, String approverId, boolean stepUpCritical, Verdict stepUp, Instant now) {
        ApprovalRefusal closed = requireOpen(s, now, false);
        if (closed != null) {
            return Outcome.refuse(closed);
        }
        boolean required = stepUpRequired(s, stepUpCritical);
        // A presented assertion that failed is refused as such, before "already approved": a
        // replay is told it is a replay, whoever sends it. A missing one matters only when it is
        // what stands between the approver and a counted approval.
        if (required && stepUp != Verdict.VERIFIED && stepUp != Verdict.ABSENT) {
            return Outcome.refuse(ApprovalRefusal.STEP_UP_INVALID);
        }
        if (s.approvedBy().contains(approverId)) {
            return Outcome.refuse(ApprovalRefusal.ALREADY_APPROVED);
        }
        if (required && stepUp == Verdict.ABSENT) {
            return Outcome.refuse(ApprovalRefusal.STEP_UP_REQUIRED);
        }
        int received = s.approvedBy().size() + 1;
        if (received < s.requiredApprovals()) {
            return Outcome.of(new Transition(Effect.COUNTED, ApprovalStatus.PENDING, null, null, DecisionKind.APPROVE,
                    List.of(EventType.PROGRESS), received));
        }
        if (s.delaySeconds() > 0) {
            return Outcome.of(new Transition(Effect.START_DELAY, ApprovalStatus.DELAYED, now.plusSeconds(s.delaySeconds()),
                    null, DecisionKind.APPROVE, List.of(EventType.APPROVED), received));
        }
        return Outcome.of(new Transition(Effect.ISSUE_NOW, ApprovalStatus.APPROVED, null, now, DecisionKind.APPROVE,
                List.of(EventType.APPROVED, EventType.TOKEN_ISSUED), received));
    }

    /** One denial ends the request, also during a critical delay. */
    public static Outcome deny(State s, Instant now) {
        ApprovalRefusal closed = requireOpen(s, now, true);
        return closed != null ? Outcome.refuse(closed)
                : Outcome.of(new Transition(Effect.DENY, ApprovalStatus.DENIED, null, now, DecisionKind.DENY,
                        List.of(EventType.DENIED), s.approvedBy().size()));
    }

    /** A cancellation, possible until the token is issued. */
    public static Outcome cancel(State s, Instant now) {
        ApprovalRefusal closed = requireOpen(s, now, true);
        return closed != null ? Outcome.refuse(closed)
                : Outcome.of(new Transition(Effect.CANCEL, ApprovalStatus.CANCELLED, null, now, DecisionKind.CANCEL,
                        List.of(EventType.CANCELLED), s.approvedBy().size()));
    }

    /** The token of a delayed request is issued once its cancel window has closed. */
    public static Outcome issueDue(State s, Instant now) {
        if (s.status() != ApprovalStatus.DELAYED || s.issueAt() == null || s.issueAt().isAfter(now)) {
            return Outcome.refuse(ApprovalRefusal.NOT_DUE);
        }
        return Outcome.of(new Transition(Effect.DELAY_ELAPSED, ApprovalStatus.APPROVED, null, now, null,
                List.of(EventType.TOKEN_ISSUED), s.approvedBy().size()));
    }

    /** A pending request past its expiry expires. A delayed one has all its approvals and does not expire. */
    public static Outcome expire(State s, Instant now) {
        if (!expired(s, now)) {
            return Outcome.refuse(ApprovalRefusal.NOT_DUE);
        }
        return Outcome.of(new Transition(Effect.EXPIRE, ApprovalStatus.EXPIRED, null, now, null,
                List.of(EventType.EXPIRED), s.approvedBy().size()));
    }

    /** Whether there is a token to collect: the request was approved and its token issued. */
    public static ApprovalRefusal collect(State s) {
        return s.status() == ApprovalStatus.APPROVED ? null : ApprovalRefusal.NOTHING_TO_COLLECT;
    }

    private static boolean expired(State s, Instant now) {
        return s.status() == ApprovalStatus.PENDING && !s.expiresAt().isAfter(now);
    }

    private static ApprovalRefusal requireOpen(State s, Instant now, boolean delayedIsOpen) {
        if (expired(s, now)) {
            return ApprovalRefusal.EXPIRED;
        }
        boolean open = s.status() == ApprovalStatus.PENDING || (delayedIsOpen && s.status() == ApprovalStatus.DELAYED);
        return open ? null : ApprovalRefusal.CLOSED;
    }
}
