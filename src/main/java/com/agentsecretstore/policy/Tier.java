package com.agentsecretstore.policy;

import java.util.Locale;

/** Access tier of a secret or a scope, ordered from least to most strict. */
public enum Tier {
    STANDARD, SENSITIVE, CRITICAL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the JSON form ("standard", ...); returns null for anything else. */
    public static Tier fromWire(String value) {
        if (value == null) {
            return null;
        }
        for (Tier t : values()) {
            if (t.wire().equals(value)) {
                return t;
            }
        }
        return null;
    }

    public static Tier strictest(Tier a, Tier b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }

    public boolean atLeast(Tier other) {
        return compareTo(other) >= 0;
    }
}
