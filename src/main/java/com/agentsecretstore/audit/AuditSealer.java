package com.agentsecretstore.audit;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;

/**
 * Links committed audit entries into the hash chain, in the order the sealer first sees them.
 *
 * <p>Writers ({@link AuditLog#append}) only insert a row in their own transaction; none of them
 * reads or locks the chain head, so requests never queue behind each other for the audit trail.
 * This job, run every {@code ass.audit.seal-interval} on every replica, takes a transaction-level
 * advisory lock with {@code pg_try_advisory_xact_lock} (one sealer at a time per schema; the
 * others skip this run), reads the chain head, claims up to {@code ass.audit.seal-batch-size}
 * unsealed rows by {@code (recorded_at, id)}, and gives them consecutive {@code chain_seq} values,
 * {@code prev_hash} and {@code entry_hash} ({@link AuditChain}) in one update. The sealer only sees
 * committed rows, so an entry whose transaction commits late is simply sealed in a later batch: the
 * chain order is seal order, never a gap. The unique {@code chain_seq} is a second fence against a
 * fork should two sealers ever run at once.
 */
@ApplicationScoped
public class AuditSealer {

    /** Advisory lock class of the sealer; the object id is the schema, so services in other schemas don't wait. */
    static final int LOCK_CLASS = 7364003;
    /** A run stops after this many full batches and leaves the rest to the next run. */
    static final int MAX_BATCHES_PER_RUN = 50;

    private static final HexFormat HEX = HexFormat.of();

    private final AuditConfig config;
    private final ObjectMapper json;

    public AuditSealer(AuditConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    @Scheduled(identity = "audit-sealer", every = "${ass.audit.seal-interval:1s}",
            concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> seal() {
        return sealPending()
                .onFailure().invoke(e -> Log.errorf(e, "Sealing audit entries failed; the next run retries"))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Seals every entry committed so far, batch by batch (each batch its own transaction), and
     * returns how many it sealed: 0 when another sealer holds the lock.
     */
    public Uni<Integer> sealPending() {
        return sealBatches(0, 0);
    }

    private Uni<Integer> sealBatches(int batchesDone, int sealedSoFar) {
        int size = config.sealBatchSize();
        return sealBatch(size).flatMap(sealed -> {
            if (sealed < 0) {
                return Uni.createFrom().item(sealedSoFar);
            }
            int total = sealedSoFar + sealed;
            return sealed == size && batchesDone + 1 < MAX_BATCHES_PER_RUN
                    ? sealBatches(batchesDone + 1, total)
                    : Uni.createFrom().item(total);
        });
    }

    /** One transaction: lock, read the head, claim a batch, link it. -1 when another sealer is at work. */
    private Uni<Integer> sealBatch(int size) {
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("select pg_try_advisory_xact_lock(" + LOCK_CLASS + ", hashtext(current_schema()))",
                        Boolean.class)
                .getSingleResult()
                .flatMap(locked -> Boolean.TRUE.equals(locked) ? link(session, size) : Uni.createFrom().item(-1))));
    }

    private Uni<Integer> link(Mutiny.Session session, int size) {
        return AuditEntry.<AuditEntry>find("chainSeq is not null order by chainSeq desc")
                .firstResult()
                .flatMap(head -> AuditEntry.<AuditEntry>find("chainSeq is null order by recordedAt, id")
                        .range(0, size - 1)
                        .list()
                        .flatMap(batch -> batch.isEmpty() ? Uni.createFrom().item(0) : update(session, head, batch)));
    }

    private Uni<Integer> update(Mutiny.Session session, AuditEntry head, List<AuditEntry> batch) {
        if (head != null && (head.entryHash == null || head.entryHash.length != 32)) {
            // Linking to a damaged head would hide the damage; verify names the row, an operator decides.
            throw new IllegalStateException("The audit chain head " + head.id + " has no valid entry_hash");
        }
        long seq = head == null ? 0 : head.chainSeq;
        byte[] prev = head == null ? AuditChain.GENESIS : head.entryHash;
        List<Map<String, Object>> rows = new ArrayList<>(batch.size());
        for (AuditEntry e : batch) {
            seq++;
            byte[] hash = AuditChain.hash(prev, e, seq);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", e.id);
            row.put("seq", seq);
            row.put("prev", HEX.formatHex(prev));
            row.put("hash", HEX.formatHex(hash));
            rows.add(row);
            prev = hash;
        }
        long headSeq = seq;
        String headHash = HEX.formatHex(prev);
        return session.createNativeQuery("update audit_entry a set chain_seq = v.seq, prev_hash = decode(v.prev, 'hex'), "
                + "entry_hash = decode(v.hash, 'hex') "
                // Cast to text first: cast(:batch as jsonb) alone makes Hibernate encode the string as a JSON string.
                + "from jsonb_to_recordset(cast(cast(:batch as text) as jsonb)) as v(id text, seq bigint, prev text, hash text) "
                + "where a.id = v.id and a.chain_seq is null")
                .setParameter("batch", write(rows))
                .executeUpdate()
                .map(updated -> {
                    if (updated != batch.size()) {
                        throw new IllegalStateException("Sealed " + updated + " of " + batch.size() + " audit entries");
                    }
                    // At debug level, these lines are a record of the head kept outside the database (AuditChain.Walk).
                    Log.debugf("Sealed %d audit entries; chain head is %d %s", updated, Long.valueOf(headSeq), headHash);
                    return updated;
                });
    }

    private String write(List<Map<String, Object>> rows) {
        try {
            return json.writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Sealing batch not serializable", e);
        }
    }
}
