package com.agentsecretstore.policy;

import java.util.Locale;

/**
 * An agent's MoltbotDen trust tier, from most to least trusted. Only consulted when the
 * MoltbotDen integration is enabled; see {@link TrustAdjustment} for what each tier changes.
 */
public enum TrustTier {
    VERIFIED("verified", 5),
    ESTABLISHED("established", 4),
    ACTIVE("active", 3),
    NEW("new", 2),
    /** Not on MoltbotDen, or the lookup failed: no relaxation. */
    UNREGISTERED("unregistered", 0);

    private final String wire;
    private final int level;

    TrustTier(String wire, int level) {
        this.wire = wire;
        this.level = level;
    }

    /** The JSON form: "verified", "established", "active", "new", "unregistered". */
    public String wire() {
        return wire;
    }

    /** MoltbotDen's T-number (5 for Verified … 2 for New); 0 for Unregistered. */
    public int level() {
        return level;
    }

    /** "Verified (T5)", "Unregistered" — as the reference table names them. */
    public String label() {
        String name = wire.substring(0, 1).toUpperCase(Locale.ROOT) + wire.substring(1);
        return level == 0 ? name : name + " (T" + level + ")";
    }

    /** Parses the JSON form; returns null for anything else. */
    public static TrustTier fromWire(String value) {
        for (TrustTier t : values()) {
            if (t.wire.equals(value)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Maps a MoltbotDen T-number; anything the table does not list (T1, garbage) is
     * Unregistered, so an unexpected answer can never relax a requirement.
     */
    public static TrustTier fromLevel(int level) {
        for (TrustTier t : values()) {
            if (t.level == level && t != UNREGISTERED) {
                return t;
            }
        }
        return UNREGISTERED;
    }
}
