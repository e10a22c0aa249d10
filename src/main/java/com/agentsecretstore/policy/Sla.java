package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The SLA ladder of a policy, or of one of its path overrides: the approvers are reminded once
 * {@code remindAfterSeconds} after the request was made, and {@code escalationApprovers} are added to
 * them {@code escalateAfterSeconds} after it; the request's own expiry is the deadline. A null field
 * is not set here; an override inherits what it leaves unset from the policy, the reminder on its own
 * and the escalation as a pair (its delay and its approvers go together).
 *
 * <p>Like {@link NamespacePolicy}, the record accepts anything so that {@link #validate} can report
 * every problem; escalation approvers are checked against the principal table when the policy is
 * written (PolicyService), exactly like {@code approvers}.
 */
public record Sla(Integer remindAfterSeconds, Integer escalateAfterSeconds, List<String> escalationApprovers) {

    public static final Sla NONE = new Sla(null, null, null);
    /** Escalation adds a few named people; a long list is a distribution list, and mail has one (extra recipients). */
    public static final int MAX_ESCALATION_APPROVERS = 20;

    public Sla {
        // A copy that keeps null elements, so validate() can point at them.
        escalationApprovers = escalationApprovers == null ? null : Collections.unmodifiableList(new ArrayList<>(escalationApprovers));
    }

    /** This ladder, with what it leaves unset taken from {@code outer}. */
    public Sla orElse(Sla outer) {
        boolean ownEscalation = escalateAfterSeconds != null || escalationApprovers != null;
        return new Sla(remindAfterSeconds != null ? remindAfterSeconds : outer.remindAfterSeconds,
                ownEscalation ? escalateAfterSeconds : outer.escalateAfterSeconds,
                ownEscalation ? escalationApprovers : outer.escalationApprovers);
    }

    /** The escalation approvers, never null. */
    public List<String> escalationApproversOrEmpty() {
        return escalationApprovers == null ? List.of() : escalationApprovers;
    }

    /**
     * The ladder of a request whose requirement was decided by the override with pattern
     * {@code matchedPattern} (null: by the namespace default or a secret's own tier): that override's
     * ladder over the policy's, else the policy's.
     */
    public static Sla forRequest(NamespacePolicy policy, String matchedPattern) {
        if (matchedPattern != null) {
            for (PathOverride o : policy.pathOverrides()) {
                if (o != null && matchedPattern.equals(o.pattern())) {
                    return o.sla().orElse(policy.sla());
                }
            }
        }
        return policy.sla();
    }

    /**
     * Adds this ladder's violations to {@code out}, its fields named after {@code prefix} ({@code ""}
     * or {@code "path_overrides[2]."}). Every step must come before the deadline
     * ({@code requestTtlSeconds}, null when the policy's own value is invalid), and a reminder before
     * the escalation ({@code effective}: this ladder after inheritance).
     */
    void validate(String prefix, Integer requestTtlSeconds, Sla effective, List<PolicyViolation> out) {
        step(prefix + "remind_after_seconds", remindAfterSeconds, requestTtlSeconds, out);
        step(prefix + "escalate_after_seconds", escalateAfterSeconds, requestTtlSeconds, out);
        if (escalateAfterSeconds != null && escalationApprovers == null) {
            out.add(new PolicyViolation(prefix + "escalation_approvers", "is required with escalate_after_seconds"));
        }
        if (escalationApprovers != null) {
            if (escalateAfterSeconds == null) {
                out.add(new PolicyViolation(prefix + "escalate_after_seconds", "is required with escalation_approvers"));
            }
            if (escalationApprovers.isEmpty()) {
                out.add(new PolicyViolation(prefix + "escalation_approvers",
                        "must name at least one approver; omit it and escalate_after_seconds to have no escalation"));
            } else if (escalationApprovers.size() > MAX_ESCALATION_APPROVERS) {
                out.add(new PolicyViolation(prefix + "escalation_approvers", "must have at most " + MAX_ESCALATION_APPROVERS + " entries"));
            }
            NamespacePolicy.validateIds(prefix + "escalation_approvers", escalationApprovers, out);
        }
        boolean ownSteps = remindAfterSeconds != null || escalateAfterSeconds != null;
        if (ownSteps && effective.remindAfterSeconds != null && effective.escalateAfterSeconds != null
                && effective.remindAfterSeconds >= effective.escalateAfterSeconds) {
            out.add(new PolicyViolation(prefix + "remind_after_seconds", "must be less than escalate_after_seconds ("
                    + effective.escalateAfterSeconds + "): the reminder comes before the escalation"));
        }
    }

    private static void step(String field, Integer seconds, Integer requestTtlSeconds, List<PolicyViolation> out) {
        if (seconds == null) {
            return;
        }
        if (seconds < 1) {
            out.add(new PolicyViolation(field, "must be at least 1"));
        } else if (requestTtlSeconds != null && seconds >= requestTtlSeconds) {
            // A step at or after the expiry would never run: the request is over by then.
            out.add(new PolicyViolation(field, "must be less than request_ttl_seconds (" + requestTtlSeconds
                    + "): the request expires first"));
        }
    }
}
