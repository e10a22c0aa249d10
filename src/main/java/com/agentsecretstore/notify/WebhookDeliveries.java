package com.agentsecretstore.notify;

import io.vertx.mutiny.sqlclient.Row;

/**
 * The webhook outbox table {@code webhook_delivery} as the shared {@link Outbox} uses it. Per webhook
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

    private WebhookDeliveries() {
    }

    private static Job job(Row row) {
        return new Job(row.getString("webhook_id"), row.getString("url"), row.getValue("disabled_at") != null,
                row.getInteger("secret_version"), row.getString("master_key_id"), row.getBuffer("wrapped_key").getBytes(),
                row.getBuffer("ciphertext").getBytes(), row.getString("payload"));
    }
}
