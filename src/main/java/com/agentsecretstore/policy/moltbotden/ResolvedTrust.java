package com.agentsecretstore.policy.moltbotden;

import com.agentsecretstore.policy.TrustTier;

/**
 * The trust tier a request is decided with, and where it came from. {@link #resolve} is the rule:
 * an admin's override wins; otherwise the registry's answer; anything short of an answer is
 * Unregistered, so a lookup can never relax a requirement by failing.
 */
public record ResolvedTrust(TrustTier tier, TrustSource source) {

    public static final ResolvedTrust UNLINKED = new ResolvedTrust(TrustTier.UNREGISTERED, TrustSource.UNLINKED);

    /** The override when there is one (no lookup needed), else null. */
    public static ResolvedTrust override(String overrideWire) {
        TrustTier t = TrustTier.fromWire(overrideWire);
        return t == null ? null : new ResolvedTrust(t, TrustSource.OVERRIDE);
    }

    /** @param answer null when nothing could be asked (no URL configured) */
    public static ResolvedTrust fromAnswer(RegistryAnswer answer) {
        if (answer == null || !answer.answered() || answer.tier() == null) {
            return new ResolvedTrust(TrustTier.UNREGISTERED, TrustSource.UNAVAILABLE);
        }
        return new ResolvedTrust(answer.tier(), TrustSource.LOOKUP);
    }
}
