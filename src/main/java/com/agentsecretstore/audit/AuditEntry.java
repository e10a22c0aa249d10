package com.agentsecretstore.audit;

import java.time.Instant;

/**
 * One row of the audit log ({@link AuditEntryTable}). Rows are only ever inserted; the chain is kept
 * apart in {@code audit_seal}, and the chain fields are filled from it when an entry is listed or
 * checked. The {@code xid} column (the writing transaction) is set by PostgreSQL.
 */
public class AuditEntry {
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
