package com.agentsecretstore.policy;

/**
 * The work one policy evaluation may do, in steps of the matching automata (a state visited, a
 * search node expanded, weighted by the state sets it carries). Glob matching, overlap checks and
 * the reachability search all spend from one budget, so a policy evaluation is bounded as a whole,
 * whatever the patterns look like: it runs on an event loop, and a stored pattern that slipped
 * past write-time limits must not hold that thread. When the budget runs out, {@link Exhausted}
 * unwinds to {@link TierResolver}, which answers with the strictest requirement the policy can
 * produce — never a weaker one.
 */
final class EvaluationBudget {

    /** Thrown when the budget is spent; carries no stack trace (it is control flow, not a fault). */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super("policy evaluation budget exhausted", null, false, false);
        }
    }

    private long remaining;

    EvaluationBudget(long steps) {
        this.remaining = steps;
    }

    /** No limit: for callers that bound their input themselves (tests, small literal checks). */
    static EvaluationBudget unlimited() {
        return new EvaluationBudget(Long.MAX_VALUE);
    }

    void spend(long steps) {
        remaining -= steps;
        if (remaining < 0) {
            throw new Exhausted();
        }
    }
}
