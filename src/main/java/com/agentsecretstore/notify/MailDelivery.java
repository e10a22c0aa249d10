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
