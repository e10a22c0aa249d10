package com.agentsecretstore.notify;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.hibernate.reactive.mutiny.Mutiny;

import com.agentsecretstore.common.Ids;
import com.agentsecretstore.notify.WebhookApi.DeliveryView;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the webhook outbox table {@code webhook_delivery}: every statement on it, in plain SQL. The
 * shared {@link Outbox}'s descriptor, the fan-out insert (through the session of the transaction
 * that publishes the event, see {@link EventLog}), a webhook's delivery log, redelivery and
 * retention. Per webhook and approval request ({@code ordering_key}), a delivery is not claimed
 * while an earlier one is still pending or sending, so receivers see each request's events in order.
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

    /** One pending delivery per webhook of the new event, due now (named parameters: the session's). */
    static final String INSERT = """
            insert into webhook_delivery (id, webhook_id, event_seq, ordering_key, status, attempts, next_attempt_at, created_at)
            select d.id, d.webhook_id, :seq, :key, 'pending', 0, :now, :now
            from unnest(cast(:ids as text[]), cast(:webhooks as text[])) as d(id, webhook_id)""";

    private static final String VIEW_COLUMNS = """
            d.id, d.webhook_id, d.event_seq, d.status, d.attempts, d.next_attempt_at, d.last_status_code,
            d.last_error, d.delivered_at, d.created_at, e.id as event_id, e.type as event_type, e.approval_request_id""";

    /** A webhook's deliveries, newest first, before the cursor {@code $2} (null: from the newest). */
    static final String LIST = "select " + VIEW_COLUMNS + " from webhook_delivery d join event e on e.seq = d.event_seq "
            + "where d.webhook_id = $1 and ($2::text is null or d.id < $2) order by d.id desc limit $3";

    /** Delivery {@code $1} of webhook {@code $2}, whatever its state, due again at {@code $3} as if new. */
    static final String REDELIVER = "update webhook_delivery d set status = 'pending', attempts = 0, next_attempt_at = $3, "
            + "locked_until = null from event e where e.seq = d.event_seq and d.id = $1 and d.webhook_id = $2 returning "
            + VIEW_COLUMNS;

    /**
     * Retention: deletes up to $2 finished rows created before $1. Rows another replica is deleting
     * are skipped, not waited for.
     */
    static final String PRUNE = "delete from webhook_delivery where ctid in (select ctid from webhook_delivery "
            + "where status in ('delivered', 'failed') and created_at < $1 limit $2 for update skip locked)";

    private WebhookDeliveries() {
    }

    /** One pending delivery of the event per webhook, inside the publishing transaction. */
    static Uni<Void> insert(Mutiny.Session session, long eventSeq, String orderingKey, List<String> webhookIds, Instant now) {
        if (webhookIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] ids = webhookIds.stream().map(w -> Ids.next("whd")).toArray(String[]::new);
        return session.createNativeQuery(INSERT)
                .setParameter("seq", eventSeq)
                .setParameter("key", orderingKey)
                .setParameter("now", now)
                .setParameter("ids", ids)
                .setParameter("webhooks", webhookIds.toArray(String[]::new))
                .executeUpdate().replaceWithVoid();
    }

    /** At most {@code limit} deliveries of a webhook, newest first, older than {@code before} when given. */
    static Uni<List<DeliveryView>> list(SqlClient client, String webhookId, String before, int limit) {
        return client.preparedQuery(LIST).execute(Tuple.of(webhookId, before, limit)).map(rows -> {
            List<DeliveryView> views = new ArrayList<>();
            rows.forEach(row -> views.add(view(row)));
            return views;
        });
    }

    /** Makes a delivery of the webhook due again now; null if the webhook has no such delivery. */
    static Uni<DeliveryView> redeliver(SqlClient client, String webhookId, String deliveryId, Instant now) {
        return client.preparedQuery(REDELIVER).execute(Tuple.of(deliveryId, webhookId, Outbox.at(now)))
                .map(rows -> rows.rowCount() == 0 ? null : view(rows.iterator().next()));
    }

    /** Retention: one batch; the rows deleted. */
    static Uni<Integer> prune(SqlClient client, OffsetDateTime before, int limit) {
        return client.preparedQuery(PRUNE).execute(Tuple.of(before, limit)).map(RowSet::rowCount);
    }

    private static DeliveryView view(Row row) {
        return new DeliveryView(row.getString("id"), row.getString("webhook_id"), row.getString("event_id"),
                row.getString("event_type"), row.getLong("event_seq"), row.getString("approval_request_id"),
                DeliveryState.fromWire(row.getString("status")).wire(), row.getInteger("attempts"), Outbox.instant(row, "next_attempt_at"),
                row.getInteger("last_status_code"), row.getString("last_error"), Outbox.instant(row, "delivered_at"),
                Outbox.instant(row, "created_at"));
    }

    private static Job job(Row row) {
        return new Job(row.getString("webhook_id"), row.getString("url"), row.getValue("disabled_at") != null,
                row.getInteger("secret_version"), row.getString("master_key_id"), row.getBuffer("wrapped_key").getBytes(),
                row.getBuffer("ciphertext").getBytes(), row.getString("payload"));
    }
}
