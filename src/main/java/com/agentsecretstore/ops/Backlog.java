package com.agentsecretstore.ops;

import io.vertx.mutiny.sqlclient.Row;

/**
 * One reading of the work waiting in the database, the same for every replica: open approval
 * requests, overdue delayed issuance, the two outboxes and the audit entries not sealed yet. Ages
 * are in seconds and 0 when nothing waits.
 */
record Backlog(long pendingRequests, long delayedRequests, double oldestPendingAge, double issuanceLateness,
        long webhookBacklog, double webhookOldestAge, long mailBacklog, double mailOldestAge,
        long unsealedAuditEntries, double auditSealingLag) {

    static Backlog of(Row row) {
        return new Backlog(row.getLong("pending"), row.getLong("delayed"), age(row, "oldest_pending_age"),
                age(row, "issuance_lateness"), row.getLong("webhook_backlog"), age(row, "webhook_oldest_age"),
                row.getLong("mail_backlog"), age(row, "mail_oldest_age"), row.getLong("audit_unsealed"),
                age(row, "audit_sealing_lag"));
    }

    /** A missing age means nothing waits; a negative one (clock skew between replicas) counts as none. */
    private static double age(Row row, String column) {
        Double seconds = row.getDouble(column);
        return seconds == null ? 0 : Math.max(0, seconds);
    }
}
