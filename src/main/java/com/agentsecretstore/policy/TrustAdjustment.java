package com.agentsecretstore.policy;

/**
 * Applies the reference's MoltbotDen trust table to a requirement:
 *
 * <pre>
 *                  standard   sensitive    critical
 * Verified (T5)    auto       auto         1 approval
 * Established (T4) auto       auto         2 approvals + delay
 * Active (T3)      auto       1 approval   2 approvals + delay
 * New (T2)         auto       1 approval   2 approvals + delay
 * Unregistered     auto       1 approval   2 approvals + delay
 * </pre>
 *
 * <p>The table's cells are the default requirements; the namespace policy may ask for more. So
 * trust only ever relaxes, never raises: the rows that match the defaults keep whatever the
 * policy demands (a critical override asking for 3 approvals still needs 3 from an Active agent),
 * and the relaxing cells cap the policy's numbers — Verified critical needs
 * {@code min(policy, 1)} approvals and no delay (the cell says "1 approval", where the others say
 * "+ delay"); Verified and Established sensitive need nothing. The tier label never changes: the
 * token is still a sensitive or critical one.
 */
public final class TrustAdjustment {

    private TrustAdjustment() {
    }

    /** @param trust null counts as {@link TrustTier#UNREGISTERED}, like any failed lookup */
    public static Requirement adjust(Requirement base, TrustTier trust) {
        TrustTier t = trust == null ? TrustTier.UNREGISTERED : trust;
        int approvals = base.requiredApprovals();
        int delay = base.approvalDelaySeconds();
        if (base.tier() == Tier.SENSITIVE && (t == TrustTier.VERIFIED || t == TrustTier.ESTABLISHED)) {
            approvals = 0;
            delay = 0;
        } else if (base.tier() == Tier.CRITICAL && t == TrustTier.VERIFIED) {
            approvals = Math.min(approvals, 1);
            delay = 0;
        }
        boolean relaxed = approvals != base.requiredApprovals() || delay != base.approvalDelaySeconds();
        Requirement adjusted = new Requirement(base.tier(), approvals, delay, base.matchedPattern(), base.reason());
        String note = relaxed
            ? "trust tier " + t.label() + " relaxes " + base.tier().wire() + " to " + adjusted.summary()
            : "trust tier " + t.label() + " leaves it unchanged";
        return adjusted.withReason(base.reason() + "; " + note);
    }
}
