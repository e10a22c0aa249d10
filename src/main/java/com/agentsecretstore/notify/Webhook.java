package com.agentsecretstore.notify;

import java.time.Instant;
import java.util.List;

import com.agentsecretstore.crypto.Barrier;

import io.vertx.mutiny.sqlclient.Row;

/**
 * A registered webhook endpoint, a row of {@link WebhookTable}; its signing secret is sealed (see
 * V4__notifications.sql).
 */
record Webhook(String id, String url, List<String> events, int secretVersion, Barrier.Sealed secret, String description,
        Instant disabledAt, String disabledReason, Instant createdAt, String createdBy) {

    /** The sealed signing secret stays out of logs, even sealed. */
    @Override
    public String toString() {
        return "Webhook[id=" + id + ", url=" + url + "]";
    }

    static Webhook from(Row row) {
        return new Webhook(row.getString("id"), row.getString("url"), List.of(row.getArrayOfStrings("events")),
                row.getInteger("secret_version"), new Barrier.Sealed(row.getString("master_key_id"),
                        row.getBuffer("wrapped_key").getBytes(), row.getBuffer("ciphertext").getBytes()),
                row.getString("description"), Outbox.instant(row, "disabled_at"), row.getString("disabled_reason"),
                Outbox.instant(row, "created_at"), row.getString("created_by"));
    }
}
