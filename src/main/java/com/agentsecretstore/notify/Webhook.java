package com.agentsecretstore.notify;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A registered webhook endpoint; its signing secret is sealed (see V4__notifications.sql). */
@Entity
@Table(name = "webhook")
public class Webhook extends PanacheEntityBase {
    @Id
    public String id;
    public String url;
    public String[] events;
    public int secretVersion;
    public String masterKeyId;
    public byte[] wrappedKey;
    public byte[] ciphertext;
    public String description;
    public Instant disabledAt;
    public String disabledReason;
    public Instant createdAt;
    public String createdBy;
}
