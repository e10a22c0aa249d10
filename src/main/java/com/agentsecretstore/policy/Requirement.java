package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What a token request must go through: the tier it is labelled with, how many distinct
 * approvals it needs and how long the cancel window after the last approval lasts.
 *
 * <p>The tier label and the numbers are separate on purpose: a trust-tier relaxation can make a
 * {@code critical} request need one approval, but the token it yields is still a critical one.
 *
 * @param matchedPattern the override pattern that decided the requirement, or null when the
 *     namespace default (or a secret's own tier) did
 * @param reason a sentence for humans (approval screens, audit), never containing secret values
 */
public record Requirement(Tier tier, int requiredApprovals, int approvalDelaySeconds,
                          String matchedPattern, String reason) {

    /** The reference's "default 5 minutes" cancel window for critical requests. */
    public static final int DEFAULT_CRITICAL_DELAY_SECONDS = 300;

    public Requirement {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(reason, "reason");
        if (requiredApprovals < 0) {
            throw new IllegalArgumentException("requiredApprovals must be >= 0");
        }
        if (approvalDelaySeconds < 0) {
            throw new IllegalArgumentException("approvalDelaySeconds must be >= 0");
        }
    }

    /** standard 0, sensitive 1, critical 2 — the reference's tier cards. */
    public static int defaultApprovals(Tier tier) {
        switch (tier) {
            case STANDARD:
                return 0;
            case SENSITIVE:
                return 1;
            default:
                return 2;
        }
    }

    /** Only critical requests have a cancel window by default. */
    public static int defaultDelaySeconds(Tier tier) {
        return tier == Tier.CRITICAL ? DEFAULT_CRITICAL_DELAY_SECONDS : 0;
    }

    /** The tier's defaults, with the given reason. */
    public static Requirement defaults(Tier tier, String reason) {
        return new Requirement(tier, defaultApprovals(tier), defaultDelaySeconds(tier), null, reason);
    }

    /** True when a token can be issued at once: no approval to wait for and no cancel window. */
    public boolean autoApproved() {
        return requiredApprovals == 0 && approvalDelaySeconds == 0;
    }

    /** "auto-approved", "1 approval", "2 approvals and a 300 s delay", ... */
    public String summary() {
        if (autoApproved()) {
            return "auto-approved";
        }
        String approvals = requiredApprovals == 1 ? "1 approval" : requiredApprovals + " approvals";
        return approvalDelaySeconds == 0 ? approvals : approvals + " and a " + approvalDelaySeconds + " s delay";
    }

    Requirement withReason(String newReason) {
        return new Requirement(tier, requiredApprovals, approvalDelaySeconds, matchedPattern, newReason);
    }

    /**
     * Combines requirements that all apply to one request (e.g. a scope spanning several
     * namespaces): the strictest tier wins, and among the requirements at that tier the largest
     * approval count and the longest delay, so that combining never weakens any of them.
     *
     * @throws IllegalArgumentException if {@code requirements} is empty
     */
    public static Requirement strictestOf(Collection<Requirement> requirements) {
        if (requirements.isEmpty()) {
            throw new IllegalArgumentException("no requirements to combine");
        }
        if (requirements.size() == 1) {
            return requirements.iterator().next();
        }
        Tier tier = null;
        for (Requirement r : requirements) {
            tier = Tier.strictest(tier, r.tier());
        }
        int approvals = 0;
        int delay = 0;
        String pattern = null;
        List<String> reasons = new ArrayList<>();
        for (Requirement r : requirements) {
            if (r.tier() == tier) {
                approvals = Math.max(approvals, r.requiredApprovals());
                delay = Math.max(delay, r.approvalDelaySeconds());
                if (pattern == null) {
                    pattern = r.matchedPattern();
                }
                reasons.add(r.reason());
            }
        }
        return new Requirement(tier, approvals, delay, pattern, String.join("; ", reasons));
    }
}
