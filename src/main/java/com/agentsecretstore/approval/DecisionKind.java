package com.agentsecretstore.approval;

import java.util.Locale;

/** What one row of {@code approval_decision} records (column {@code kind}, through {@link ApprovalConverters.Kind}). */
public enum DecisionKind {
    APPROVE, DENY, CANCEL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
