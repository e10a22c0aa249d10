package com.agentsecretstore.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.crypto.SigningKey;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Exports an expired day partition of {@code audit_entry} and then drops it; owns {@code audit_archive}.
 *
 * <p>An archive is a run of whole seals: from the seal after the previous archive up to the seal
 * holding the partition's last entry in sealing order, with every entry those seals hold (a few may
 * live in the next day's partition; they stay there too). So the archives, in order, are the chain
 * itself, each verifiable alone: every seal's signature, every entry's hash, and the signed
 * {@link ArchiveStatement} saying where the file starts and ends. The file is gzip JSON Lines:
 *
 * <pre>
 * {"type":"archive", "version":"ass.audit.archive.v1", "partition", "from", "to", "first_seal", "last_seal",
 *  "first_seq", "chain_seq", "prev_hash", "entry_hash", "key_id", "algorithm", "signature"}
 * {"type":"seal", "seal_seq", "first_seq", "chain_seq", "prev_hash", "entry_hash", "sealed_at", "key_id",
 *  "algorithm", "signature"}                       (the fields of a checkpoint)
 * {"type":"entry", "chain_seq", "id", "recorded_at", "action", "outcome", "actor_id", "actor_name", "actor_role",
 *  "namespace", "path", "target_id", "source_ip", "details", "entry_hash"}   (one per entry of that seal)
 * ...
 * </pre>
 *
 * <p>The order of work keeps every failure safe: nothing is dropped unless the partition holds no
 * unsealed entry, the chain over the exported range checks out, and the file is on disk (written to a
 * temporary name, synced, renamed, directory synced). The drop, the {@code audit_archive} row and the
 * removal of seals no longer needed are one transaction, after a last check under lock that no entry
 * arrived in the partition meanwhile. One archiver works at a time per schema (a session advisory
 * lock on its own connection). Runs on a worker thread: it blocks on file I/O.
 */
@ApplicationScoped
public class AuditArchiver {

    static final int LOCK_CLASS = 7364005;
    /** Seals read per round trip while exporting. */
    static final int SEALS_PER_READ = 20;
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final HexFormat HEX = HexFormat.of();

    private static final String LOCK = "select pg_try_advisory_lock(" + LOCK_CLASS + ", hashtext(current_schema()))";
    private static final String UNLOCK = "select pg_advisory_unlock(" + LOCK_CLASS + ", hashtext(current_schema()))";

    private final AuditConfig config;
    private final Pool pool;
    private final SealKeys keys;
    private final Clock clock;
    private final ObjectMapper json;

    public AuditArchiver(AuditConfig config, Pool pool, SealKeys keys, Clock clock, ObjectMapper json) {
        this.config = config;
        this.pool = pool;
        this.keys = keys;
        this.clock = clock;
        this.json = json;
    }

    /**
     * Exports {@code partition} (covering {@code [from, to)}) and drops it. False when it was left in
     * place: another archiver is at work, an entry in it is not sealed yet, or the drop had to wait.
     */
    public boolean archive(String partition, Instant from, Instant to) {
        SqlConnection conn = await(pool.getConnection());
        try {
            if (!await(conn.query(LOCK).execute()).iterator().next().getBoolean(0)) {
                return false;
            }
            try {
                return archive(conn, partition, from, to);
            } finally {
                await(conn.query(UNLOCK).execute());
            }
        } finally {
            await(conn.close());
        }
    }

    private boolean archive(SqlConnection conn, String partition, Instant from, Instant to) {
        Log.infof("Archiving audit partition %s", partition);
        ChainKey last = lastKey(conn, partition);
        if (last == null) {
            return drop(conn, partition, null, null, null);
        }
        Start start = Start.of(first(await(conn.query(AuditArchiveTable.NEWEST).execute())));
        if (last.compareTo(start.cursor) <= 0) {
            // Every entry of it was sealed together with an earlier day's and is in that day's archive.
            return drop(conn, partition, last, null, null);
        }
        Row holding = first(await(conn.preparedQuery(AuditSealTable.HOLDING).execute(Tuple.of(last.xidText(), last.id()))));
        if (holding == null) {
            Log.infof("Audit partition %s is past retention but not wholly sealed yet; it is kept for now", partition);
            return false;
        }
        SigningKey signer = await(keys.active());
        Path dir = Path.of(config.exportDir());
        Exported exported;
        try {
            Files.createDirectories(dir);
            exported = export(conn, partition, from, to, start, holding.getLong("seq"), signer, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Exporting audit partition " + partition + " failed; it is kept", e);
        }
        return drop(conn, partition, last, exported, new Range(from, to));
    }

    private record Range(Instant from, Instant to) {
    }

    /** What an export wrote, for the {@code audit_archive} row. */
    private record Exported(String fileName, byte[] sha256, ArchiveStatement statement, ChainKey end, byte[] signature) {
    }

    /** Where the database's chain starts: after the newest archive, or at the beginning. */
    private record Start(long seal, long chainSeq, byte[] hash, ChainKey cursor) {
        static Start of(Row row) {
            if (row == null) {
                return new Start(0, 0, AuditChain.GENESIS, ChainKey.START);
            }
            return new Start(row.getLong("last_seal"), row.getLong("last_chain_seq"), row.getBuffer("head_hash").getBytes(),
                    ChainKey.of(row.getString("last_xid"), row.getString("last_id")));
        }
    }

    private Exported export(SqlConnection conn, String partition, Instant from, Instant to, Start start, long lastSeal,
            SigningKey signer, Path dir) throws IOException {
        // Pass 1 over the seals: the statement needs the head before the file's first line is written.
        Row firstSeal = first(await(conn.preparedQuery(AuditSealTable.SEALS).execute(Tuple.of(start.seal, lastSeal, SEALS_PER_READ))));
        Row lastRow = first(await(conn.preparedQuery(AuditSealTable.SEALS).execute(Tuple.of(lastSeal - 1, lastSeal, 1))));
        if (firstSeal == null || lastRow == null || firstSeal.getLong("seq") != start.seal + 1) {
            throw new IllegalStateException("The audit seals after seal " + start.seal + " are not in place; "
                    + "partition " + partition + " is kept (run verify)");
        }
        byte[] lastHashes = lastRow.getBuffer("entry_hashes").getBytes();
        long chainSeq = lastRow.getLong("first_seq") + lastRow.getArrayOfStrings("entry_ids").length - 1;
        ArchiveStatement statement = new ArchiveStatement(partition, start.seal + 1, lastSeal, start.chainSeq + 1, chainSeq,
                start.hash, Arrays.copyOfRange(lastHashes, lastHashes.length - 32, lastHashes.length), signer.id());
        byte[] signature = signer.sign(statement.bytes());

        String fileName = "audit-" + partition + "-seals-" + statement.firstSeal() + "-" + lastSeal + ".jsonl.gz";
        Path target = dir.resolve(fileName);
        Path temp = dir.resolve("." + fileName + ".tmp");
        MessageDigest sha = sha256();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream file = java.nio.channels.Channels.newOutputStream(channel);
            try (GZIPOutputStream gz = new GZIPOutputStream(new DigestOutputStream(file, sha), 1 << 16)) {
                line(gz, header(statement, from, to, signature));
                ChainKey end = writeSeals(conn, gz, statement, start);
                gz.finish();
                channel.force(true);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncDirectory(dir);
                Log.infof("Exported audit partition %s: seals %d-%d, chain positions %d-%d, to %s", partition,
                        statement.firstSeal(), lastSeal, statement.firstSeq(), chainSeq, target);
                return new Exported(fileName, sha.digest(), statement, end, signature);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Writes every seal of the statement with its entries, checking the chain on the way; returns the last seal's cursor. */
    private ChainKey writeSeals(SqlConnection conn, OutputStream out, ArchiveStatement statement, Start start) throws IOException {
        long sealSeq = start.seal;
        long position = start.chainSeq;
        byte[] prev = start.hash;
        ChainKey cursor = start.cursor;
        while (sealSeq < statement.lastSeal()) {
            List<Row> seals = new ArrayList<>();
            await(conn.preparedQuery(AuditSealTable.SEALS).execute(Tuple.of(sealSeq, statement.lastSeal(), SEALS_PER_READ))).forEach(seals::add);
            if (seals.isEmpty()) {
                throw new IllegalStateException("Audit seal " + (sealSeq + 1) + " is missing");
            }
            Row lastOfBatch = seals.get(seals.size() - 1);
            Map<String, AuditEntry> entries = new HashMap<>();
            for (Row r : await(conn.preparedQuery(AuditEntryTable.RANGE).execute(Tuple.of(cursor.xidText(), cursor.id(),
                    lastOfBatch.getString("last_xid"), lastOfBatch.getString("last_id"), AuditEntryTable.rangeLimit(seals))))) {
                AuditEntry e = AuditEntryTable.entry(r);
                entries.put(e.id, e);
            }
            for (Row seal : seals) {
                long seq = seal.getLong("seq");
                String[] ids = seal.getArrayOfStrings("entry_ids");
                byte[] hashes = seal.getBuffer("entry_hashes").getBytes();
                if (seq != sealSeq + 1 || seal.getLong("first_seq") != position + 1 || !Arrays.equals(seal.getBuffer("prev_hash").getBytes(), prev)
                        || hashes.length != 32 * ids.length || seal.getBuffer("signature") == null) {
                    throw new IllegalStateException("Audit seal " + seq + " does not follow seal " + sealSeq
                            + " or is not signed; nothing is dropped (run verify)");
                }
                line(out, sealLine(seal, hashes));
                for (int i = 0; i < ids.length; i++) {
                    AuditEntry e = entries.get(ids[i]);
                    byte[] hash = Arrays.copyOfRange(hashes, 32 * i, 32 * (i + 1));
                    if (e == null || !Arrays.equals(AuditChain.hash(prev, e, position + 1), hash)) {
                        throw new IllegalStateException("Audit entry " + ids[i] + " at chain position " + (position + 1)
                                + " is missing or does not match its seal; nothing is dropped (run verify)");
                    }
                    position++;
                    prev = hash;
                    line(out, entryLine(e, position, hash));
                }
                sealSeq = seq;
                cursor = ChainKey.of(seal.getString("last_xid"), seal.getString("last_id"));
            }
        }
        return cursor;
    }

    private boolean drop(SqlConnection conn, String partition, ChainKey last, Exported exported, Range range) {
        Transaction tx = await(conn.begin());
        try {
            await(conn.query(AuditPartitions.DDL_LOCK_TIMEOUT).execute());
            // Locks out inserts into it; then nothing may have arrived after what was exported.
            await(conn.query("lock table " + partition + " in access exclusive mode").execute());
            RowSet<Row> arrived = last == null ? await(conn.query("select 1 from " + partition + " limit 1").execute())
                    : await(conn.preparedQuery("select 1 from " + partition + " e where (e.xid, e.id) > ($1::text::xid8, $2) limit 1")
                            .execute(Tuple.of(last.xidText(), last.id())));
            if (arrived.size() > 0) {
                await(tx.rollback());
                return false;
            }
            await(conn.query("drop table " + partition).execute());
            if (exported != null) {
                ArchiveStatement s = exported.statement();
                await(conn.preparedQuery(AuditArchiveTable.INSERT).execute(Tuple.tuple(List.of(partition, utc(range.from()), utc(range.to()),
                        exported.fileName(), Buffer.buffer(exported.sha256()), s.firstSeal(), s.lastSeal(), s.firstSeq(),
                        s.chainSeq(), Buffer.buffer(s.prevHash()), Buffer.buffer(s.entryHash()), exported.end().xidText(),
                        exported.end().id(), s.chainSeq() - s.firstSeq() + 1, s.keyId(), Buffer.buffer(exported.signature()),
                        utc(clock.instant())))));
                // Seals wholly archived can go, except: the archive's last seal, which stays as the chain's
                // signed head (a checkpoint is a seal) until a newer one exists; and every seal from the first
                // still holding an entry in the database (entries of the next day sealed with the dropped ones),
                // so that those still list with their chain position and verify checks them.
                Row kept = first(await(conn.preparedQuery(AuditEntryTable.FIRST_AT_OR_BEFORE).execute(Tuple.of(exported.end().xidText(),
                        exported.end().id()))));
                if (kept == null) {
                    await(conn.preparedQuery(AuditSealTable.DELETE_BEFORE).execute(Tuple.of(s.lastSeal())));
                } else {
                    await(conn.preparedQuery(AuditSealTable.DELETE_BEFORE_KEY).execute(Tuple.of(s.lastSeal(), kept.getString("xid_text"),
                            kept.getString("id"))));
                }
            }
            await(tx.commit());
            Log.infof("Dropped audit partition %s", partition);
            return true;
        } catch (RuntimeException e) {
            try {
                await(tx.rollback());
            } catch (RuntimeException ignored) {
                // the connection is closed by the caller; the transaction ends with it
            }
            Log.warnf("Audit partition %s was exported but not dropped (%s); the next run retries", partition, e.getMessage());
            return false;
        }
    }

    private ChainKey lastKey(SqlConnection conn, String partition) {
        Row row = first(await(conn.query("select e.xid::text as xid_text, e.id from " + partition
                + " e order by e.xid desc, e.id desc limit 1").execute()));
        return row == null ? null : ChainKey.of(row.getString("xid_text"), row.getString("id"));
    }

    private ObjectNode header(ArchiveStatement s, Instant from, Instant to, byte[] signature) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "archive");
        n.put("version", ArchiveStatement.VERSION);
        n.put("partition", s.partition());
        n.put("from", from.toString());
        n.put("to", to.toString());
        n.put("first_seal", s.firstSeal());
        n.put("last_seal", s.lastSeal());
        n.put("first_seq", s.firstSeq());
        n.put("chain_seq", s.chainSeq());
        n.put("prev_hash", HEX.formatHex(s.prevHash()));
        n.put("entry_hash", HEX.formatHex(s.entryHash()));
        n.put("key_id", s.keyId());
        n.put("algorithm", "Ed25519");
        n.put("signature", Base64.getEncoder().encodeToString(signature));
        return n;
    }

    private ObjectNode sealLine(Row seal, byte[] hashes) {
        long firstSeq = seal.getLong("first_seq");
        ObjectNode n = json.createObjectNode();
        n.put("type", "seal");
        n.put("seal_seq", seal.getLong("seq"));
        n.put("first_seq", firstSeq);
        n.put("chain_seq", firstSeq + hashes.length / 32 - 1);
        n.put("prev_hash", HEX.formatHex(seal.getBuffer("prev_hash").getBytes()));
        n.put("entry_hash", HEX.formatHex(hashes, hashes.length - 32, hashes.length));
        n.put("sealed_at", SealStatement.time(seal.getOffsetDateTime("sealed_at").toInstant()));
        n.put("key_id", seal.getString("key_id"));
        n.put("algorithm", "Ed25519");
        n.put("signature", Base64.getEncoder().encodeToString(seal.getBuffer("signature").getBytes()));
        return n;
    }

    private ObjectNode entryLine(AuditEntry e, long position, byte[] hash) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "entry");
        n.put("chain_seq", position);
        n.put("id", e.id);
        n.put("recorded_at", SealStatement.time(e.recordedAt));
        n.put("action", e.action);
        n.put("outcome", e.outcome);
        n.put("actor_id", e.actorId);
        n.put("actor_name", e.actorName);
        n.put("actor_role", e.actorRole);
        n.put("namespace", e.namespace);
        n.put("path", e.path);
        n.put("target_id", e.targetId);
        n.put("source_ip", e.sourceIp);
        n.put("details", e.details);
        n.put("entry_hash", HEX.formatHex(hash));
        return n;
    }

    private void line(OutputStream out, ObjectNode node) throws IOException {
        out.write(json.writeValueAsBytes(node));
        out.write('\n');
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the file itself is synced.
            Log.debugf("Could not sync directory %s: %s", dir, e.getMessage());
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Row first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? it.next() : null;
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
