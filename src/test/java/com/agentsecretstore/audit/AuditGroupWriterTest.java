package com.agentsecretstore.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/** Standalone audit entries are committed in groups, each entry exactly once, and a failure wedges nothing. */
@QuarkusTest
class AuditGroupWriterTest {

    @Inject
    AuditGroupWriter writer;

    @Test
    void everyConcurrentEntryIsCommittedOnceBeforeItsWriteCompletes() throws Throwable {
        String prefix = "aud_test_" + Api.unique("group").replace('-', '_') + "_";
        int n = 300;
        List<Uni<Void>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(writer.write(entry(prefix + i, "success")));
        }
        VertxContextSupport.subscribeAndAwait(() -> Uni.join().all(writes).andFailFast().replaceWithVoid());
        assertEquals(n, Db.count("select count(*) from audit_entry where id like ?", prefix + "%"));
    }

    @Test
    void aFailedGroupWritesNothingAndTheNextOneGoesThrough() throws Throwable {
        String bad = "aud_test_" + Api.unique("bad").replace('-', '_');
        // Breaks the outcome check constraint, so the whole statement fails.
        assertThrows(Exception.class, () -> VertxContextSupport.subscribeAndAwait(() -> writer.write(entry(bad, "bogus"))));
        assertEquals(0, Db.count("select count(*) from audit_entry where id = ?", bad));
        String good = "aud_test_" + Api.unique("good").replace('-', '_');
        VertxContextSupport.subscribeAndAwait(() -> writer.write(entry(good, "success")));
        assertEquals(1, Db.count("select count(*) from audit_entry where id = ?", good));
    }

    private static AuditEntry entry(String id, String outcome) {
        AuditEntry e = new AuditEntry();
        e.id = id;
        e.recordedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        e.action = "test.group";
        e.outcome = outcome;
        e.details = "{}";
        return e;
    }
}
