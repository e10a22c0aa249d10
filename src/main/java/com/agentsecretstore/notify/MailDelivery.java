package com.agentsecretstore.notify;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One email to send: the outbox row and its delivery record. */
@Entity
@Table(name = "mail_delivery")
public class MailDelivery extends PanacheEntityBase {
    /**
     * Retention: deletes up to $2 finished rows created before $1. Rows another replica is deleting
     * are skipped, not waited for.
     */
    public static final String PRUNE = "delete from mail_delivery where ctid in (select ctid from mail_delivery "
            + "where status in ('delivered', 'failed') and created_at < $1 limit $2 for update skip locked)";

    @Id
    public String id;
    public Long eventSeq;
    public String recipient;
    public String subject;
    public String body;
    public String status;
    public int attempts;
    public Instant nextAttemptAt;
    public Instant lockedUntil;
    public String lastError;
    public Instant deliveredAt;
    public Instant createdAt;
}
