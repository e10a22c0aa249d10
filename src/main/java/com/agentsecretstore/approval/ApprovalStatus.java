package com.agentsecretstore.approval;

import java.util.Locale;

/**
 * Where a request stands. {@code pending} waits for approvals; {@code delayed} has them all and
 * waits out the cancel window; the other four are final.
 */
public enum ApprovalStatus {
    PENDING, DELAYED, APPROVED, DENIED, CANCELLED, EXPIRED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this != PENDING && this != DELAYED;
    }

    public static ApprovalStatus fromWire(String value) {
        for (ApprovalStatus s : values()) {
            if (s.wire().equals(value)) {
                return s;
            }
        }
        return null;
    }
}
