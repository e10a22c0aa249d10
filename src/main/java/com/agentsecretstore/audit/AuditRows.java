package com.agentsecretstore.audit;

import io.vertx.mutiny.sqlclient.Row;

/** Reading audit entries over the plain SQL client, for the sealer and verify. */
final class AuditRows {

    /** The hashed columns, then the entry's xid as text. */
    static final String COLUMNS = "id, recorded_at, action, outcome, actor_id, actor_name, actor_role, namespace, path, "
            + "target_id, source_ip, details, xid::text";

    private AuditRows() {
    }

    static AuditEntry entry(Row row) {
        AuditEntry e = new AuditEntry();
        e.id = row.getString(0);
        e.recordedAt = row.getOffsetDateTime(1).toInstant();
        e.action = row.getString(2);
        e.outcome = row.getString(3);
        e.actorId = row.getString(4);
        e.actorName = row.getString(5);
        e.actorRole = row.getString(6);
        e.namespace = row.getString(7);
        e.path = row.getString(8);
        e.targetId = row.getString(9);
        e.sourceIp = row.getString(10);
        e.details = row.getString(11);
        return e;
    }

    /** The entry's xid, from {@link #COLUMNS}. */
    static long xid(Row row) {
        return Long.parseLong(row.getString(12));
    }
}
