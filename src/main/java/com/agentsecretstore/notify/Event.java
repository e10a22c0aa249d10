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
