package com.agentsecretstore.approval;

import java.util.Locale;

/** What one row of {@code approval_decision} records (column {@code kind}). */
public enum DecisionKind {
    APPROVE, DENY, CANCEL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DecisionKind fromWire(String value) {
        for (DecisionKind k : values()) {
            if (k.wire().equals(value)) {
                return k;
            }
        }
        return null;
    }
}
