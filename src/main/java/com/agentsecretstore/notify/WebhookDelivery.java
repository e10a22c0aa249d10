package com.agentsecretstore.notify;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One event to one webhook: the outbox row and its delivery log. */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery extends PanacheEntityBase {
    /**
     * Retention: deletes up to $2 finished rows created before $1. Rows another replica is deleting
     * are skipped, not waited for.
     */
    public static final String PRUNE = "delete from webhook_delivery where ctid in (select ctid from webhook_delivery "
            + "where status in ('delivered', 'failed') and created_at < $1 limit $2 for update skip locked)";

    @Id
    public String id;
    public String webhookId;
    public Long eventSeq;
    public String orderingKey;
    public String status;
    public int attempts;
    public Instant nextAttemptAt;
    public Instant lockedUntil;
    public Integer lastStatusCode;
    public String lastError;
    public Instant deliveredAt;
    public Instant createdAt;
}
