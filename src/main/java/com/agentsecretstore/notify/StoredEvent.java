package com.agentsecretstore.notify;

import java.time.Instant;
import java.util.List;

import io.vertx.mutiny.sqlclient.Row;

/**
 * An event as read back from the table for the live feed; {@code payload} is JSON text.
 * {@code audience} lists the principals that may see a live event; it is null on replayed events,
 * which the replay query already filtered for its viewer.
 */
public record StoredEvent(long seq, String id, String type, String approvalRequestId, String namespace,
        String requesterId, String payload, Instant createdAt, List<String> audience) {

    /** A row of {@link EventTable}'s {@code COLUMNS}, with {@code audience} when selected. */
    static StoredEvent from(Row row) {
        return new StoredEvent(row.getLong("seq"), row.getString("id"), row.getString("type"),
                row.getString("approval_request_id"), row.getString("namespace"), row.getString("requester_id"),
                row.getString("payload"), Outbox.instant(row, "created_at"),
                row.getColumnIndex("audience") < 0 ? null : List.of(row.getArrayOfStrings("audience")));
    }
}
