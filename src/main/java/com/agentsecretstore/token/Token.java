package com.agentsecretstore.token;

import java.time.Instant;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.policy.TierConverter;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A scoped token. Only the SHA-256 of its value is stored; a token issued through an approval has
 * no value (and no hash) until its requester collects it. Read and written by {@link TokenTable}: as
 * an entity only in the transaction of an approval request, otherwise built from a row.
 */
@Entity
@Table(name = "token")
public class Token extends PanacheEntityBase {
    @Id
    public String id;
    public String principalId;
    public String requestId;
    public byte[] hash;
    public String prefix;
    public String scope;
    public String scopeGlob;
    public String namespace;
    @Convert(converter = TierConverter.class)
    public Tier tier;
    public Instant issuedAt;
    public Instant expiresAt;
    public Instant collectedAt;
    public Instant revokedAt;
    public String revokedBy;
    /** Reads allowed (null: no limit) and reads made (V17); {@code uses} only grows, by one conditional update. */
    public Integer maxUses;
    public int uses;
}
