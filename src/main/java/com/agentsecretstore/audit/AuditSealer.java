package com.agentsecretstore.audit;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.crypto.SigningKey;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Links committed audit entries into the hash chain, a batch at a time, without ever touching them.
 *
 * <p>Writers ({@link AuditLog}) only insert rows; none of them reads or locks the chain head, so
 * requests never queue behind each other for the audit trail. This job, run every
 * {@code ass.audit.seal-interval} on every replica, takes a transaction-level advisory lock with
 * {@code pg_try_advisory_xact_lock} (one sealer at a time per schema; the others skip this run),
 * reads the newest seal, takes up to {@code ass.audit.seal-batch-size} entries after it in
 * {@code (xid, id)} order ({@link ChainKey}: xids compare as numbers), and inserts one
 * {@code audit_seal} row with their ids and hashes ({@link AuditChain}), a keyed tag of each hash,
 * and the Ed25519 signature of its {@link SealStatement} by the active key ({@link SealKeys}).
 *
 * <p>It takes only entries whose transaction id is below the <em>horizon</em>, so that every entry
 * that will ever exist in that range is already visible: an entry can neither be skipped nor arrive
 * behind the seal later. The horizon is the oldest transaction of the sealer's own snapshot that is
 * still running and may belong to this database (see {@link #HORIZON}); a transaction left open in
 * this database holds sealing back until it ends, one in another database of the cluster does not.
 * The unique {@code first_seq} is a second fence against a fork should two sealers ever run at once.
 */
@ApplicationScoped
public class AuditSealer {

    /** Advisory lock class of the sealer; the object id is the schema, so services in other schemas don't wait. */
    static final int LOCK_CLASS = 7364003;
    /** A run stops after this many full batches and leaves the rest to the next run. */
    static final int MAX_BATCHES_PER_RUN = 50;
    /** Unsigned seals from before V16 signed per batch transaction. */
    static final int BACKFILL_BATCH = 100;

    private static final String LOCK = "select pg_try_advisory_xact_lock(" + LOCK_CLASS + ", hashtext(current_schema()))";
    /**
     * Below this xid, no transaction of this database is still running in the statement's snapshot:
     * its snapshot's xmax, lowered to every xid it sees as running unless that xid is known to belong
     * to another database (a backend or prepared transaction there). An xid is known as another
     * database's only while it runs there, and then it writes nothing here; an xid that is found
     * nowhere (it just ended, it is a background worker's, or the role may not see it) counts as
     * this database's. So the horizon errs only on the side of waiting: every entry below it is
     * visible to this same statement. Nothing else is needed: a transaction that takes its xid later
     * gets one at or above xmax.
     */
    static final String HORIZON = "select least(pg_snapshot_xmax(snap), (select min(x) from pg_snapshot_xip(snap) x "
            + "where not exists (select 1 from pg_stat_activity a where a.backend_xid = xid(x) "
            + "and a.datid <> (select oid from pg_database where datname = current_database())) "
            + "and not exists (select 1 from pg_prepared_xacts p where p.transaction = xid(x) "
            + "and p.database <> current_database()))) as horizon from (select pg_current_snapshot() as snap) s";

    private final AuditConfig config;
    private final Pool pool;
    private final SealKeys keys;
    private final Clock clock;

    public AuditSealer(AuditConfig config, Pool pool, SealKeys keys, Clock clock) {
        this.config = config;
        this.pool = pool;
        this.keys = keys;
        this.clock = clock;
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

    /**
     * One transaction: lock, sign seals left unsigned by an older release, read the newest seal, take
     * a batch, seal and sign it. -1 when another sealer is at work.
     */
    private Uni<Integer> sealBatch(int size) {
        return keys.active().flatMap(key -> Transactions.sql(pool, conn -> conn.query(LOCK).execute()
                .flatMap(locked -> first(locked).getBoolean(0)
                        ? signUnsigned(conn, key).chain(() -> conn.query(AuditSealTable.HEAD).execute())
                                .flatMap(head -> link(conn, key, Head.of(first(head)), size))
                        : Uni.createFrom().item(-1))));
    }

    /**
     * Signs seals written before seals were signed, as they are now: from the upgrade on, they cannot
     * be rewritten unseen either. An edit made to them before is still found by the hash chain, unless
     * every hash was recomputed back then, which no key could have caught.
     */
    private Uni<Void> signUnsigned(SqlConnection conn, SigningKey key) {
        return conn.preparedQuery(AuditSealTable.UNSIGNED).execute(Tuple.of(BACKFILL_BATCH)).flatMap(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().voidItem();
            }
            List<Tuple> updates = new ArrayList<>();
            for (Row row : rows) {
                byte[] hashes = row.getBuffer("entry_hashes").getBytes();
                int n = hashes.length / 32;
                if (n == 0 || hashes.length % 32 != 0) {
                    continue;  // damaged: left unsigned for verify to name
                }
                long firstSeq = row.getLong("first_seq");
                byte[] head = Arrays.copyOfRange(hashes, hashes.length - 32, hashes.length);
                SealStatement statement = new SealStatement(row.getLong("seq"), firstSeq, firstSeq + n - 1,
                        row.getBuffer("prev_hash").getBytes(), head, row.getOffsetDateTime("sealed_at").toInstant(), key.id());
                updates.add(Tuple.of(row.getLong("seq"), key.id(), Buffer.buffer(key.sign(statement.bytes())),
                        Buffer.buffer(tags(key, hashes))));
            }
            Log.infof("Signing %d audit seals written before seals were signed", updates.size());
            return updates.isEmpty() ? Uni.createFrom().voidItem()
                    : conn.preparedQuery(AuditSealTable.SIGN).executeBatch(updates).replaceWithVoid();
        });
    }

    /** The keyed tag of every 32-byte hash in {@code hashes}, concatenated in the same order. */
    static byte[] tags(SigningKey key, byte[] hashes) {
        return key.tags(hashes);
    }

    private Uni<Integer> link(SqlConnection conn, SigningKey signer, Head head, int size) {
        return conn.preparedQuery(AuditEntryTable.PENDING).execute(Tuple.of(head.last.xidText(), head.last.id(), size))
                .flatMap(rows -> rows.size() == 0 ? Uni.createFrom().item(0)
                        // Hashing a thousand entries, tagging them and an Ed25519 signature take
                        // milliseconds of CPU: on the event loop they would stall every request queued
                        // behind it (they did: a read p99 of 35 ms), so they run on a worker thread.
                        : Uni.createFrom().item(() -> Batch.of(rows, head, signer, clock))
                                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                                .flatMap(batch -> conn.preparedQuery(AuditSealTable.INSERT).execute(batch.row).map(inserted -> {
                                    // At debug level, these lines are a record of the head kept outside the database (AuditChain.Walk).
                                    Log.debugf("Sealed %d audit entries; chain head is %d %s", batch.count, batch.headSeq,
                                            java.util.HexFormat.of().formatHex(batch.headHash));
                                    return batch.count;
                                })));
    }

    /** The seal of one batch of pending entries, ready to insert. */
    private record Batch(Tuple row, int count, long headSeq, byte[] headHash) {
        static Batch of(RowSet<Row> rows, Head head, SigningKey signer, Clock clock) {
            List<String> ids = new ArrayList<>(rows.size());
            ByteBuffer hashes = ByteBuffer.allocate(32 * rows.size());
            byte[] prev = head.hash;
            long seq = head.lastSeq;
            ChainKey last = head.last;
            for (Row row : rows) {
                ChainKey key = AuditEntryTable.key(row);
                if (key.compareTo(last) <= 0) {
                    // A seal out of (xid, id) order skips and repeats entries for good: refuse it.
                    throw new IllegalStateException("Audit entries came back out of sealing order at " + key.id());
                }
                AuditEntry e = AuditEntryTable.entry(row);
                prev = AuditChain.hash(prev, e, ++seq);
                hashes.put(prev);
                ids.add(e.id);
                last = key;
            }
            byte[] entryHashes = hashes.array();
            // Microseconds, as PostgreSQL stores it: the statement is rebuilt from the stored value.
            Instant sealedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
            SealStatement statement = new SealStatement(head.sealSeq + 1, head.lastSeq + 1, seq, head.hash, prev, sealedAt,
                    signer.id());
            Tuple row = Tuple.tuple(List.of(head.sealSeq + 1, head.lastSeq + 1, last.xidText(), last.id(),
                    Buffer.buffer(head.hash), ids.toArray(String[]::new), Buffer.buffer(entryHashes),
                    OffsetDateTime.ofInstant(sealedAt, ZoneOffset.UTC), signer.id(),
                    Buffer.buffer(signer.sign(statement.bytes())), Buffer.buffer(tags(signer, entryHashes))));
            return new Batch(row, ids.size(), seq, prev);
        }
    }

    private static Row first(RowSet<Row> rows) {
        RowIterator<Row> it = rows.iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** The newest seal, or the start of an empty chain. */
    private record Head(long sealSeq, long lastSeq, ChainKey last, byte[] hash) {
        static Head of(Row row) {
            if (row == null) {
                return new Head(0, 0, ChainKey.START, AuditChain.GENESIS);
            }
            byte[] hash = row.getBuffer("head_hash").getBytes();
            if (hash.length != 32) {
                // Linking to a damaged head would hide the damage; verify names it, an operator decides.
                throw new IllegalStateException("The newest audit seal " + row.getLong("seq") + " has no valid head hash");
            }
            return new Head(row.getLong("seq"), row.getLong("last_chain_seq"), ChainKey.of(row.getString("last_xid"), row.getString("last_id")), hash);
        }
    }
}
