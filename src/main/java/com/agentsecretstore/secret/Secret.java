package com.agentsecretstore.secret;

import java.time.Instant;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.policy.TierConverter;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A secret's metadata; its values live in {@link SecretVersion}, sealed. Read and written by {@link SecretTable}. */
@Entity
@Table(name = "secret")
public class Secret extends PanacheEntityBase {
    @Id
    public String path;
    public String namespace;
    @Convert(converter = TierConverter.class)
    public Tier tier;
    /** JSON object of string metadata, as the client gave it. */
    public String metadata;
    public int currentVersion;
    public Instant createdAt;
    public Instant updatedAt;
    public String createdBy;
    public String updatedBy;
}
