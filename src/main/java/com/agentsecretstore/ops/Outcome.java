package com.agentsecretstore.ops;

import java.util.Arrays;
import java.util.Optional;

/** How an approval request ended, as its lifecycle event in the {@code event} table names it. */
enum Outcome {
    APPROVED("approval.approved"),
    DENIED("approval.denied"),
    CANCELLED("approval.cancelled"),
    EXPIRED("approval.expired");

    /** The event of a token issued for a request (ends the cancel window of a delayed one). */
    static final String TOKEN_ISSUED = "token.issued";

    final String eventType;

    Outcome(String eventType) {
        this.eventType = eventType;
    }

    String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Optional<Outcome> ofEvent(String type) {
        return Arrays.stream(values()).filter(o -> o.eventType.equals(type)).findFirst();
    }
}
