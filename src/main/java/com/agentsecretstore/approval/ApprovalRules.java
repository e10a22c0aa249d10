package com.agentsecretstore.approval;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.agentsecretstore.notify.EventType;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.passkey.StepUpResult.Verdict;

/**
 * The approval state machine, free of I/O. Who may act is {@link com.agentsecretstore.access.AccessModel}'s
 * answer, checked before these rules run (an outsider learns nothing about a request from a 409);
 * these rules decide what the request's state allows, and return either the complete
 * {@link Transition} to apply or a typed {@link ApprovalRefusal}. The scheduled jobs and the
 * namespace-removal cancellation ask the same rules: their SQL ({@link ApprovalStore.Due},
 * {@link ApprovalStore#lockOpen}) only narrows the candidates, and every row is then judged here.
 */
public final class ApprovalRules {

    private ApprovalRules() {
    }

    /** What the rules need to know about a request; {@code budget} is the one in effect (narrowed so far). */
    public record State(ApprovalStatus status, String requesterId, int requiredApprovals, int delaySeconds,
            Instant expiresAt, Instant issueAt, Set<String> approvedBy, Budget budget, Ladder ladder, boolean critical) {

        public State {
            ladder = ladder == null ? Ladder.NONE : ladder;
        }

        /** A request without an SLA ladder, for a rule its budget does not matter to. */
        public State(ApprovalStatus status, String requesterId, int requiredApprovals, int delaySeconds, Instant expiresAt,
                Instant issueAt, Set<String> approvedBy) {
            this(status, requesterId, requiredApprovals, delaySeconds, expiresAt, issueAt, approvedBy, null, Ladder.NONE, false);
        }

        /** A request with an SLA ladder, for a rule its budget does not matter to. */
        public State(ApprovalStatus status, String requesterId, int requiredApprovals, int delaySeconds, Instant expiresAt,
                Instant issueAt, Set<String> approvedBy, Ladder ladder) {
            this(status, requesterId, requiredApprovals, delaySeconds, expiresAt, issueAt, approvedBy, null, ladder, false);
        }

        /** A request without an SLA ladder or budget, critical or not. */
        public State(ApprovalStatus status, String requesterId, int requiredApprovals, int delaySeconds, Instant expiresAt,
                Instant issueAt, Set<String> approvedBy, boolean critical) {
            this(status, requesterId, requiredApprovals, delaySeconds, expiresAt, issueAt, approvedBy, null, Ladder.NONE, critical);
        }

        /** A request without an SLA ladder, with its budget. */
        public State(ApprovalStatus status, String requesterId, int requiredApprovals, int delaySeconds, Instant expiresAt,
                Instant issueAt, Set<String> approvedBy, Budget budget) {
            this(status, requesterId, requiredApprovals, delaySeconds, expiresAt, issueAt, approvedBy, budget, Ladder.NONE, false);
        }
    }

    /**
     * Where a request stands on its SLA ladder: each step is due at its time ({@code remindAt},
     * {@code escalateAt}; null: no such step) and done once its time of doing is set.
     */
    public record Ladder(Instant remindAt, Instant remindedAt, Instant escalateAt, Instant escalatedAt) {
        public static final Ladder NONE = new Ladder(null, null, null, null);
    }

    /** What the token of a request may do: its scope, lifetime from issuance, and reads (null: no limit). */
    public record Budget(String scope, int ttlSeconds, Integer maxUses) {
    }

    /**
     * What an approver narrows in its approval, each part null when left as it is. The scope is
     * well-formed (checked at the edge); whether it is narrower is the rules' business.
     */
    public record Narrowing(String scope, Integer ttlSeconds, Integer maxUses) {
        public static final Narrowing NONE = new Narrowing(null, null, null);

        public boolean isEmpty() {
            return scope == null && ttlSeconds == null && maxUses == null;
        }
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
        EXPIRE,
        /** The approvers of a still pending request are notified again. */
        REMIND,
        /** The escalation approvers join those who decide the request. */
        ESCALATE;

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
            DecisionKind recorded, List<String> events, int received, Budget budget) {

        /** A transition that leaves the budget as it is ({@code budget} null). */
        Transition(Effect effect, ApprovalStatus next, Instant issueAt, Instant decidedAt, DecisionKind recorded,
                List<String> events, int received) {
            this(effect, next, issueAt, decidedAt, recorded, events, received, null);
        }

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

    /** An approval by {@code approverId}, who the access model lets decide, narrowing nothing, no step-up asked. */
    public static Outcome approve(State s, String approverId, Instant now) {
        return approve(s, approverId, Narrowing.NONE, false, Verdict.ABSENT, now);
    }

    /** An approval that may narrow the budget (see the full form), no step-up asked. */
    public static Outcome approve(State s, String approverId, Narrowing n, Instant now) {
        return approve(s, approverId, n, false, Verdict.ABSENT, now);
    }

    /** An approval with a step-up verdict (see the full form), narrowing nothing. */
    public static Outcome approve(State s, String approverId, boolean stepUpCritical, Verdict stepUp, Instant now) {
        return approve(s, approverId, Narrowing.NONE, stepUpCritical, stepUp, now);
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
     * passkey assertion it presented ({@link Verdict#ABSENT} when none), that may narrow the budget
     * in effect: a lifetime no longer, reads no more, a scope within the current one. Never wider: a
     * later approver narrows what an earlier one left; the transition carries the new budget when
     * anything was narrowed. A closed or expired request says so whatever the assertion; then a
     * refused assertion, then "already approved", then a widening, then a missing assertion.
     */
    public static Outcome approve(State s, String approverId, Narrowing n, boolean stepUpCritical, Verdict stepUp,
            Instant now) {
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
        ApprovalRefusal wider = widens(s.budget(), n);
        if (wider != null) {
            return Outcome.refuse(wider);
        }
        Budget budget = n.isEmpty() ? null : narrow(s.budget(), n);
        if (required && stepUp == Verdict.ABSENT) {
            return Outcome.refuse(ApprovalRefusal.STEP_UP_REQUIRED);
        }
        int received = s.approvedBy().size() + 1;
        if (received < s.requiredApprovals()) {
            return Outcome.of(new Transition(Effect.COUNTED, ApprovalStatus.PENDING, null, null, DecisionKind.APPROVE,
                    List.of(EventType.PROGRESS), received, budget));
        }
        if (s.delaySeconds() > 0) {
            return Outcome.of(new Transition(Effect.START_DELAY, ApprovalStatus.DELAYED, now.plusSeconds(s.delaySeconds()),
                    null, DecisionKind.APPROVE, List.of(EventType.APPROVED), received, budget));
        }
        return Outcome.of(new Transition(Effect.ISSUE_NOW, ApprovalStatus.APPROVED, null, now, DecisionKind.APPROVE,
                List.of(EventType.APPROVED, EventType.TOKEN_ISSUED), received, budget));
    }

    /** Why the narrowing would widen (or mis-shape) the budget, or null when it only narrows. */
    static ApprovalRefusal widens(Budget b, Narrowing n) {
        if (n.isEmpty()) {
            return null;
        }
        if (n.ttlSeconds() != null && (n.ttlSeconds() < 1 || n.ttlSeconds() > b.ttlSeconds())) {
            return ApprovalRefusal.TTL_NOT_SHORTER;
        }
        if (n.maxUses() != null && (n.maxUses() < 1 || (b.maxUses() != null && n.maxUses() > b.maxUses()))) {
            return ApprovalRefusal.USES_NOT_FEWER;
        }
        if (n.scope() != null) {
            Scope narrower = Scope.parse(n.scope());
            Scope current = Scope.parse(b.scope());
            if (narrower == null || current == null || !narrower.within(current)) {
                return ApprovalRefusal.SCOPE_NOT_NARROWER;
            }
        }
        return null;
    }

    private static Budget narrow(Budget b, Narrowing n) {
        return new Budget(n.scope() == null ? b.scope() : n.scope(), n.ttlSeconds() == null ? b.ttlSeconds() : n.ttlSeconds(),
                n.maxUses() == null ? b.maxUses() : n.maxUses());
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

    /**
     * A pending request's approvers are reminded once, when its reminder is due and before its
     * deadline (the expiry); a request that is decided, delayed or over is not.
     */
    public static Outcome remind(State s, Instant now) {
        return due(s, now, s.ladder().remindAt(), s.ladder().remindedAt())
                ? Outcome.of(new Transition(Effect.REMIND, ApprovalStatus.PENDING, null, null, null,
                        List.of(EventType.REMINDER), s.approvedBy().size()))
                : Outcome.refuse(ApprovalRefusal.NOT_DUE);
    }

    /**
     * A pending request escalates once, when its escalation is due and before its deadline: from then
     * on its escalation approvers decide it too ({@code AccessModel}, from {@code escalated_at}).
     */
    public static Outcome escalate(State s, Instant now) {
        return due(s, now, s.ladder().escalateAt(), s.ladder().escalatedAt())
                ? Outcome.of(new Transition(Effect.ESCALATE, ApprovalStatus.PENDING, null, null, null,
                        List.of(EventType.ESCALATED), s.approvedBy().size()))
                : Outcome.refuse(ApprovalRefusal.NOT_DUE);
    }

    private static boolean due(State s, Instant now, Instant at, Instant done) {
        return s.status() == ApprovalStatus.PENDING && !expired(s, now) && at != null && done == null && !at.isAfter(now);
    }

    /**
     * Whether a repeated ask (same requester, scope, description and run id) gets this request back
     * instead of a new one: while it is open, pending and unexpired or delayed. Approvers are then
     * not paged again.
     */
    public static boolean answersRepeat(State s, Instant now) {
        return requireOpen(s, now, true) == null;
    }

    /** What {@code after} narrowed of {@code before}, part by part (null: unchanged); NONE without a new budget. */
    public static Narrowing changes(Budget before, Budget after) {
        if (after == null) {
            return Narrowing.NONE;
        }
        return new Narrowing(after.scope().equals(before.scope()) ? null : after.scope(),
                after.ttlSeconds() == before.ttlSeconds() ? null : after.ttlSeconds(),
                java.util.Objects.equals(after.maxUses(), before.maxUses()) ? null : after.maxUses());
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
