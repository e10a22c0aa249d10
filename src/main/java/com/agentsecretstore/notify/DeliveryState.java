package com.agentsecretstore.notify;

import java.util.Locale;

/**
 * Where one webhook or mail delivery of the outbox stands (column {@code status}): {@code pending}
 * until claimed, {@code sending} while a dispatcher holds its lease, then {@code delivered}, or
 * {@code failed} once retries are used up; a failed attempt with retries left goes back to pending.
 */
public enum DeliveryState {
    PENDING, SENDING, DELIVERED, FAILED;

    /** The column's (and the API's) lowercase text. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeliveryState fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
