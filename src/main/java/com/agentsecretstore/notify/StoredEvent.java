package com.agentsecretstore.notify;

import java.time.Instant;
import java.util.List;

/**
 * An event as read back from the table for the live feed; {@code payload} is JSON text.
 * {@code audience} lists the principals that may see a live event; it is null on replayed events,
 * which the replay query already filtered for its viewer.
 */
public record StoredEvent(long seq, String id, String type, String approvalRequestId, String namespace,
        String requesterId, String payload, Instant createdAt, List<String> audience) {
}
