package com.agentsecretstore.notify;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import com.agentsecretstore.notify.WebhookApi.DeliveryView;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The SQL of the webhook outbox table {@code webhook_delivery}: the shared {@link Outbox}'s
 * descriptor and a webhook's delivery log (the rows are inserted with their event by
 * {@link EventLog}). Per webhook
 * and approval request ({@code ordering_key}), a delivery is not claimed while an earlier one is
 * still pending or sending, so receivers see each request's events in order.
 */
final class WebhookDeliveries {

    /** What a send needs of a claimed delivery: its webhook (with the sealed signing secret) and the event. */
    record Job(String webhookId, String url, boolean webhookDisabled, int secretVersion, String masterKeyId,
            byte[] wrappedKey, byte[] ciphertext, String payload) {

        /** The sealed signing secret stays out of logs, even sealed. */
        @Override
        public String toString() {
            return "Job[webhookId=" + webhookId + ", disabled=" + webhookDisabled + "]";
        }
    }

    static final String ORDERED = """
            and not exists (select 1 from webhook_delivery e
                            where e.webhook_id = d.webhook_id and e.ordering_key = d.ordering_key
                              and e.event_seq < d.event_seq and e.status in ('pending', 'sending'))""";

    static final String LOAD = """
            select d.id, d.attempts, w.id as webhook_id, w.url, w.secret_version, w.master_key_id, w.wrapped_key,
                   w.ciphertext, w.disabled_at, e.payload
            from webhook_delivery d join webhook w on w.id = d.webhook_id join event e on e.seq = d.event_seq
            where d.id = any($1) order by d.event_seq""";

    static final OutboxTable<Job> TABLE = OutboxTable.of("webhook_delivery", ORDERED, LOAD, true, WebhookDeliveries::job);

    /** A webhook's deliveries, newest first, before the cursor {@code $2} (null: from the newest). */
    static final String LIST = """
            select d.id, d.webhook_id, d.event_seq, d.status, d.attempts, d.next_attempt_at, d.last_status_code,
                   d.last_error, d.delivered_at, d.created_at, e.id as event_id, e.type as event_type, e.approval_request_id
            from webhook_delivery d join event e on e.seq = d.event_seq
            where d.webhook_id = $1 and ($2::text is null or d.id < $2)
            order by d.id desc limit $3""";

    private WebhookDeliveries() {
    }

    /** At most {@code limit} deliveries of a webhook, newest first, older than {@code before} when given. */
    static Uni<List<DeliveryView>> list(Pool pool, String webhookId, String before, int limit) {
        return pool.preparedQuery(LIST).execute(Tuple.of(webhookId, before, limit)).map(rows -> {
            List<DeliveryView> views = new ArrayList<>();
            rows.forEach(row -> views.add(view(row)));
            return views;
        });
    }

    private static DeliveryView view(Row row) {
        return new DeliveryView(row.getString("id"), row.getString("webhook_id"), row.getString("event_id"),
                row.getString("event_type"), row.getLong("event_seq"), row.getString("approval_request_id"),
                row.getString("status"), row.getInteger("attempts"), instant(row, "next_attempt_at"),
                row.getInteger("last_status_code"), row.getString("last_error"), instant(row, "delivered_at"),
                instant(row, "created_at"));
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime at = row.getOffsetDateTime(column);
        return at == null ? null : at.toInstant();
    }

    private static Job job(Row row) {
        return new Job(row.getString("webhook_id"), row.getString("url"), row.getValue("disabled_at") != null,
                row.getInteger("secret_version"), row.getString("master_key_id"), row.getBuffer("wrapped_key").getBytes(),
                row.getBuffer("ciphertext").getBytes(), row.getString("payload"));
    }
}
