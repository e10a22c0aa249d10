package com.agentsecretstore.policy;

/**
 * One entry of a namespace policy's {@code path_overrides}, exactly as an admin wrote it.
 *
 * <p>The pattern stays a string so that an invalid one can still be carried to
 * {@link NamespacePolicy#validate()} and reported with its field path; {@link TierResolver}
 * compiles it once the policy is known to be valid.
 *
 * @param requiredApprovals null means the tier's default (see {@link Requirement#defaultApprovals})
 * @param approvalDelaySeconds null means the tier's default; only critical has a delay
 * @param sla the SLA ladder of requests this override governs, over the policy's (see {@link Sla#orElse}); null means none of its own
 */
public record PathOverride(String pattern, Tier tier, Integer requiredApprovals, Integer approvalDelaySeconds, Sla sla) {

    public PathOverride {
        sla = sla == null ? Sla.NONE : sla;
    }

    /** An override without a ladder of its own. */
    public PathOverride(String pattern, Tier tier, Integer requiredApprovals, Integer approvalDelaySeconds) {
        this(pattern, tier, requiredApprovals, approvalDelaySeconds, null);
    }

    /** Approvals this override demands, defaults applied. */
    public int effectiveApprovals() {
        return requiredApprovals != null ? requiredApprovals : Requirement.defaultApprovals(tier);
    }

    /** Cancel window this override demands, defaults applied; always 0 below critical. */
    public int effectiveDelaySeconds() {
        if (tier != Tier.CRITICAL) {
            return 0;
        }
        return approvalDelaySeconds != null ? approvalDelaySeconds : Requirement.DEFAULT_CRITICAL_DELAY_SECONDS;
    }
}
