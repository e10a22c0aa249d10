package com.agentsecretstore.notify;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One approval lifecycle event; {@code payload} is exactly what webhooks and the live feed carry. */
@Entity
@Table(name = "event")
public class Event extends PanacheEntityBase {
    /**
     * Retention: deletes up to $2 events created before $1 that no outbox row refers to any more
     * (their deliveries are pruned first, on their own schedule). Rows another replica is deleting
     * are skipped, not waited for.
     */
    public static final String PRUNE = "delete from event where ctid in (select e.ctid from event e where e.created_at < $1 "
            + "and not exists (select 1 from webhook_delivery d where d.event_seq = e.seq) "
            + "and not exists (select 1 from mail_delivery m where m.event_seq = e.seq) limit $2 for update skip locked)";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long seq;
    public String id;
    public String type;
    public String approvalRequestId;
    public String namespace;
    public String requesterId;
    public String payload;
    public Instant createdAt;
}
