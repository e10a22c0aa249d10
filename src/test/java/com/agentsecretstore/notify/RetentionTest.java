package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Retention of events and outbox rows: old finished rows go, in batches of at most
 * {@code ass.retention.batch-size}; recent rows, unfinished deliveries and the events they need stay.
 */
@QuarkusTest
class RetentionTest {

    @Inject
    Retention retention;

    @Test
    void oldFinishedDeliveriesAndTheirEventsArePrunedInBatchesAndEverythingElseStays() {
        String p = "rt" + System.nanoTime() % 1_000_000_000L;
        sql("insert into principal (id, name, role, created_at, updated_at) values ('prn_" + p + "', '" + p + "', 'admin', now(), now())",
                "insert into webhook (id, url, events, secret_version, master_key_id, wrapped_key, ciphertext, created_at, created_by) "
                        + "values ('whk_" + p + "', 'https://example.com/hook', '{}', 1, 'k', '\\x00', '\\x00', now(), 'prn_" + p + "')",
                // 2,500 old events, each with a delivered webhook delivery and a delivered email: three batches each.
                "insert into event (id, type, payload, created_at) select 'evt_" + p + "_old_' || g, 'approval.created', '{}', "
                        + "now() - interval '40 days' from generate_series(1, 2500) g",
                "insert into webhook_delivery (id, webhook_id, event_seq, ordering_key, status, next_attempt_at, created_at) "
                        + "select 'whd_" + p + "_old_' || e.id, 'whk_" + p + "', e.seq, 'k', 'delivered', e.created_at, e.created_at "
                        + "from event e where e.id like 'evt\\_" + p + "\\_old\\_%'",
                "insert into mail_delivery (id, event_seq, recipient, subject, body, status, next_attempt_at, created_at) "
                        + "select 'mld_" + p + "_old_' || e.id, e.seq, 'a@example.com', 's', 'b', 'failed', e.created_at, e.created_at "
                        + "from event e where e.id like 'evt\\_" + p + "\\_old\\_%'",
                // An old event whose delivery is still pending: both stay.
                "insert into event (id, type, payload, created_at) values ('evt_" + p + "_pending', 'approval.created', '{}', "
                        + "now() - interval '40 days')",
                "insert into webhook_delivery (id, webhook_id, event_seq, ordering_key, status, next_attempt_at, created_at) "
                        + "select 'whd_" + p + "_pending', 'whk_" + p + "', seq, 'k', 'pending', now(), now() - interval '40 days' "
                        + "from event where id = 'evt_" + p + "_pending'",
                // A recent event with a delivered email: both stay.
                "insert into event (id, type, payload, created_at) values ('evt_" + p + "_new', 'approval.created', '{}', now())",
                "insert into mail_delivery (id, event_seq, recipient, subject, body, status, next_attempt_at, created_at) "
                        + "select 'mld_" + p + "_new', seq, 'a@example.com', 's', 'b', 'delivered', now(), now() "
                        + "from event where id = 'evt_" + p + "_new'");

        Retention.Pruned pruned = retention.prune().await().atMost(Duration.ofMinutes(2));
        // The scheduled job may have taken some of the batches; together they take all of them.
        assertTrue(pruned.events() <= 2500 + 1000, String.valueOf(pruned));

        assertEquals(0, count("select count(*) from webhook_delivery where id like 'whd\\_" + p + "\\_old\\_%'"));
        assertEquals(0, count("select count(*) from mail_delivery where id like 'mld\\_" + p + "\\_old\\_%'"));
        assertEquals(0, count("select count(*) from event where id like 'evt\\_" + p + "\\_old\\_%'"));
        assertEquals(1, count("select count(*) from webhook_delivery where id = 'whd_" + p + "_pending'"));
        assertEquals(1, count("select count(*) from event where id = 'evt_" + p + "_pending'"));
        assertEquals(1, count("select count(*) from mail_delivery where id = 'mld_" + p + "_new'"));
        assertEquals(1, count("select count(*) from event where id = 'evt_" + p + "_new'"));
    }

    private static long count(String sql) {
        return Db.count(sql);
    }

    private static void sql(String... statements) {
        try (Connection c = Db.connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
