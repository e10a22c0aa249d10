package com.agentsecretstore.approval;

import java.util.Locale;

import com.agentsecretstore.notify.EventType;

/** How a request ended, as its receipt records it (column {@code approval_receipt.outcome}). */
public enum ReceiptOutcome {
    ISSUED(EventType.TOKEN_ISSUED), DENIED(EventType.DENIED), CANCELLED(EventType.CANCELLED), EXPIRED(EventType.EXPIRED);

    private final String eventType;

    ReceiptOutcome(String eventType) {
        this.eventType = eventType;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome the lifecycle event records; null for an event that does not end the request. */
    public static ReceiptOutcome ofEvent(String eventType) {
        for (ReceiptOutcome o : values()) {
            if (o.eventType.equals(eventType)) {
                return o;
            }
        }
        return null;
    }
}
