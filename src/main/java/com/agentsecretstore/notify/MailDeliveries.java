package com.agentsecretstore.notify;

import io.vertx.mutiny.sqlclient.Row;

/** The email outbox table {@code mail_delivery} as the shared {@link Outbox} uses it. */
final class MailDeliveries {

    /** What a send needs of a claimed email. */
    record Job(String recipient, String subject, String body) {
    }

    static final String LOAD = """
            select d.id, d.attempts, d.recipient, d.subject, d.body
            from mail_delivery d where d.id = any($1) order by d.event_seq""";

    static final OutboxTable<Job> TABLE = OutboxTable.of("mail_delivery", "", LOAD, false, MailDeliveries::job);

    private MailDeliveries() {
    }

    private static Job job(Row row) {
        return new Job(row.getString("recipient"), row.getString("subject"), row.getString("body"));
    }
}
