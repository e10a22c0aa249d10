package com.agentsecretstore.audit;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.Ids;
import com.agentsecretstore.principal.Caller;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Appends audit entries. {@link #append} joins the caller's transaction: if the entry cannot be
 * written, the change it describes is rolled back with it (no audit row, no change).
 * {@link #appendAlone} is for entries that record no change of their own (reads, refusals,
 * authentication failures): they are committed by themselves, grouped with others of their kind.
 */
@ApplicationScoped
public class AuditLog {

    private final Clock clock;
    private final ObjectMapper json;
    private final AuditGroupWriter group;

    public AuditLog(Clock clock, ObjectMapper json, AuditGroupWriter group) {
        this.clock = clock;
        this.json = json;
        this.group = group;
    }

    /** Must run inside a session transaction ({@link com.agentsecretstore.common.Transactions#run}) of the calling service. */
    public Uni<Void> append(AuditEvent event) {
        return AuditEntryTable.insertInSession(entry(event));
    }

    /** {@link #append} for a change made over the plain SQL client: joins {@code tx}'s transaction. */
    public Uni<Void> append(SqlConnection tx, AuditEvent event) {
        return tx.preparedQuery(AuditEntryTable.INSERT).execute(AuditEntryTable.columns(List.of(entry(event)))).replaceWithVoid();
    }

    /**
     * Writes the entry outside any transaction and completes once it is committed. Needs no
     * Hibernate session; a failure means the entry was not written.
     */
    public Uni<Void> appendAlone(AuditEvent event) {
        return group.write(entry(event));
    }

    private AuditEntry entry(AuditEvent event) {
        AuditEntry entry = new AuditEntry();
        // PostgreSQL keeps microseconds; keeping no more here makes the entry equal to what is stored.
        entry.recordedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        // The id carries recorded_at to the millisecond, so a time window of the listing is a range of ids.
        entry.id = Ids.next("aud", entry.recordedAt);
        entry.action = event.action().wire();
        entry.outcome = event.outcome().name().toLowerCase(Locale.ROOT);
        Caller actor = event.actor();
        if (actor != null) {
            entry.actorId = actor.id();
            entry.actorName = actor.name();
            entry.actorRole = actor.role() == null ? null : actor.role().wire();
            entry.sourceIp = actor.sourceIp();
        }
        entry.namespace = event.namespace();
        entry.path = event.path();
        entry.targetId = event.targetId();
        entry.details = canonical(withChannel(withWorkload(event.details(), actor), actor));
        return entry;
    }

    /** Every call made with a Kubernetes token names its pod (issue 13.1), whatever the action. */
    private static Map<String, Object> withWorkload(Map<String, Object> details, Caller actor) {
        if (actor == null || actor.workload() == null || (details != null && details.containsKey("workload"))) {
            return details;
        }
        Map<String, Object> out = details == null ? new TreeMap<>() : new TreeMap<>(details);
        out.put("workload", actor.workload().auditDetail());
        return out;
    }

    /** A call that came through another door than the REST API says which (issue 16.5: {@code via: mcp}). */
    private static Map<String, Object> withChannel(Map<String, Object> details, Caller actor) {
        if (actor == null || actor.via() == null || (details != null && details.containsKey("via"))) {
            return details;
        }
        Map<String, Object> out = details == null ? new TreeMap<>() : new TreeMap<>(details);
        out.put("via", actor.via().wire());
        return out;
    }

    private String canonical(Map<String, Object> details) {
        if (details == null || details.isEmpty()) {
            return "{}";
        }
        try {
            // Sorted keys: the chain hashes this text, so it must not depend on map order.
            return json.writeValueAsString(new TreeMap<>(details));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Audit details are not serializable", e);
        }
    }
}
