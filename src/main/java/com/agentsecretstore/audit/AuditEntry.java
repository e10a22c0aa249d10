package com.agentsecretstore.audit;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One row of the append-only audit log. The chain columns are filled by the sealer, never by writers. */
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
    public Long chainSeq;
    public byte[] prevHash;
    public byte[] entryHash;
}
