package com.agentsecretstore.policy;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A stored namespace policy: the validated JSON document and who last changed it. Read and written by {@link PolicyTable}. */
@Entity
@Table(name = "namespace_policy")
public class PolicyRecord extends PanacheEntityBase {
    @Id
    public String namespace;
    public String document;
    public int revision;
    public Instant updatedAt;
    public String updatedBy;
}
