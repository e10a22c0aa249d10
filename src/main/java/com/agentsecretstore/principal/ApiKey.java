package com.agentsecretstore.principal;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * An API key of a principal, kept only as the SHA-256 of the key; the key itself is shown once. Read
 * and written only through {@link ApiKeyTable}.
 */
@Entity
@Table(name = "api_key")
public class ApiKey extends PanacheEntityBase {
    @Id
    public String id;
    public String principalId;
    /** The first characters of the key, enough to tell keys apart in a list, never enough to use. */
    public String prefix;
    public byte[] hash;
    public Instant createdAt;
    public Instant lastUsedAt;
    public Instant revokedAt;
}
