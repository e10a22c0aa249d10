package com.agentsecretstore.audit;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * One row of the audit log. Rows are only ever inserted; the chain is kept apart in
 * {@code audit_seal}, and the transient chain fields are filled from it when an entry is checked.
 * The {@code xid} column (the writing transaction) is set by PostgreSQL and not mapped.
 */
@Entity
@Table(name = "audit_entry")
public class AuditEntry extends PanacheEntityBase {
    @Id
    public String id;
    public Instant recordedAt;
    public String action;
    public String outcome;
    public String actorId;
    public String actorName;
    public String actorRole;
    public String namespace;
    public String path;
    public String targetId;
    public String sourceIp;
    public String details;
    @Transient
    public Long chainSeq;
    @Transient
    public byte[] prevHash;
    @Transient
    public byte[] entryHash;
}
