package com.agentsecretstore.policy.moltbotden;

/**
 * Where the trust tier of an approval request came from. Stored in {@code approval_request.trust_source}
 * and shown as its wire name.
 */
public enum TrustSource {
    /** An admin set the tier on the principal; it wins over any lookup. */
    OVERRIDE("override"),
    /** The registry answered: a tier, or 404 (Unregistered). */
    LOOKUP("lookup"),
    /** The agent has a MoltbotDen id but no usable answer came (error, timeout, garbage, unknown tier, no URL): Unregistered. */
    UNAVAILABLE("unavailable"),
    /** The agent has neither an override nor a MoltbotDen id: Unregistered, nothing was asked. */
    UNLINKED("unlinked");

    private final String wire;

    TrustSource(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
