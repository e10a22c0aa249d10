package com.agentsecretstore.audit;

import io.vertx.mutiny.sqlclient.Row;

/** Reading audit entries over the plain SQL client, for the sealer and verify. */
final class AuditRows {

    /**
     * The hashed columns of {@code audit_entry e}, then the entry's xid as text. The text column
     * has its own name: named {@code xid}, an {@code order by xid} would sort the text, not the xid8.
     */
    static final String COLUMNS = "e.id, e.recorded_at, e.action, e.outcome, e.actor_id, e.actor_name, e.actor_role, "
            + "e.namespace, e.path, e.target_id, e.source_ip, e.details, e.xid::text as xid_text";
    /** Sealing order. Qualified, so that it is the xid8 column whatever the select list names. */
    static final String ORDER = "order by e.xid, e.id";

    private AuditRows() {
    }

    static AuditEntry entry(Row row) {
        AuditEntry e = new AuditEntry();
        e.id = row.getString("id");
        e.recordedAt = row.getOffsetDateTime("recorded_at").toInstant();
        e.action = row.getString("action");
        e.outcome = row.getString("outcome");
        e.actorId = row.getString("actor_id");
        e.actorName = row.getString("actor_name");
        e.actorRole = row.getString("actor_role");
        e.namespace = row.getString("namespace");
        e.path = row.getString("path");
        e.targetId = row.getString("target_id");
        e.sourceIp = row.getString("source_ip");
        e.details = row.getString("details");
        return e;
    }

    /** The entry's place in sealing order, from {@link #COLUMNS}. */
    static ChainKey key(Row row) {
        return ChainKey.of(row.getString("xid_text"), row.getString("id"));
    }
}
