package com.agentsecretstore.notify;

import java.time.Instant;

/** An event as read back from the table for the live feed; {@code payload} is JSON text. */
public record StoredEvent(long seq, String id, String type, String approvalRequestId, String namespace,
        String requesterId, String payload, Instant createdAt) {
}
