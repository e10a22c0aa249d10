package com.agentsecretstore.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;


import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.audit.AuditApi.ActorView;
import com.agentsecretstore.audit.AuditApi.BrokenView;
import com.agentsecretstore.audit.AuditApi.Checkpoint;
import com.agentsecretstore.audit.AuditApi.CheckpointQuery;
import com.agentsecretstore.audit.AuditApi.EntryView;
import com.agentsecretstore.audit.AuditApi.HeadView;
import com.agentsecretstore.audit.AuditApi.ListQuery;
import com.agentsecretstore.audit.AuditApi.PublicKeyView;
import com.agentsecretstore.audit.AuditApi.PublicKeys;
import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.audit.AuditEntryTable.Listed;
import com.agentsecretstore.audit.AuditEntryTable.Reach;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.crypto.SigningKey;
import com.agentsecretstore.principal.Role;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reading the audit trail and checking its chain. Admins read everything; approvers read the
 * entries of the namespaces they are designated for; agents read nothing.
 */
@ApplicationScoped
public class AuditService {

    /** Seals (of up to ass.audit.seal-batch-size entries each) checked per round trip while verifying. */
    static final int VERIFY_SEALS = 20;

    private static final HexFormat HEX = HexFormat.of();


    private final ObjectMapper json;
    private final Pool pool;
    private final SealKeys keys;

    public AuditService(ObjectMapper json, Pool pool, SealKeys keys) {
        this.json = json;
        this.pool = pool;
        this.keys = keys;
    }

    /**
     * A page of entries, newest first, matching every given filter and the caller's reach. An
     * approver reaches its namespaces, the request rows of namespaces whose policy lists it, and the
     * rows of requests that escalated to it (it may see those requests by the access model).
     */
    public Uni<Page<EntryView>> list(Caller caller, ListQuery query) {
        if (caller.role() != Role.ADMIN && caller.role() != Role.APPROVER) {
            throw ApiException.forbidden("Only admins and approvers may read the audit trail.");
        }
        AuditFilter filter = AuditFilter.parse(query);
        if (caller.role() != Role.APPROVER) {
            return list(filter, null);
        }
        Tuple me = Tuple.of(caller.id());
        return pool.preparedQuery(AccessModel.namespacesListingSql("$1")).execute(me)
                .flatMap(listed -> pool.preparedQuery(AccessModel.requestsEscalatedToSql("$1")).execute(me)
                        .map(escalated -> new Reach(caller.namespaces() == null ? List.of() : caller.namespaces(),
                                strings(listed), strings(escalated))))
                .flatMap(reach -> {
                    if (filter.namespace() != null && !reach.namespaces().contains(filter.namespace())
                            && !reach.listed().contains(filter.namespace())) {
                        throw ApiException.forbidden("Approvers may read the audit trail of their own namespaces only.");
                    }
                    if (reach.namespaces().isEmpty() && reach.listed().isEmpty() && reach.escalated().isEmpty()) {
                        return Uni.createFrom().item(new Page<>(List.of(), null));
                    }
                    return list(filter, reach);
                });
    }

    private static List<String> strings(RowSet<Row> rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.getString(0)));
        return out;
    }

    private Uni<Page<EntryView>> list(AuditFilter filter, Reach reach) {
        return AuditEntryTable.page(pool, filter, reach).flatMap(rows -> AuditEntryTable.place(pool, rows)
                .map(ignored -> Page.of(rows.stream().map(Listed::entry).toList(), filter.limit(), e -> e.id, this::view)));
    }

    /**
     * Walks the whole chain seal by seal, {@link #VERIFY_SEALS} seals per round trip, and reports
     * the first entry that does not follow from those before it (see {@link AuditChain.Walk} for
     * what the hashes alone detect), including a sealed entry that is gone and an entry that
     * appeared inside a sealed range. What the hashes cannot catch, the keys do: each seal must be
     * signed by a trusted key ({@link SealKeys}) over its {@link SealStatement}, and each entry hash
     * must carry that key's tag, so an entry edited with every hash recomputed is named by its tag and
     * a seal forged with another key by its signature. Removing the newest seals leaves a valid chain:
     * it is caught against a {@code checkpoint} exported earlier, which the chain must still hold.
     * Entries not sealed yet are counted, not checked.
     */
    public Uni<VerifyResult> verify(Caller caller, CheckpointQuery checkpoint) {
        if (!caller.isAdmin()) {
            throw ApiException.forbidden("Only admins may verify the audit chain.");
        }
        Mark mark = Mark.parse(checkpoint);
        return keys.byId().flatMap(known -> pool.query(AuditArchiveTable.NEWEST).execute().flatMap(archived -> {
            VerifyRun run = new VerifyRun(known, mark);
            run.resumeAfter(archived.size() == 0 ? null : archived.iterator().next());
            return verifyKeptSeals(run).chain(() -> Multi.createBy().repeating()
                    .uni(() -> run, this::verifyNextSeals)
                    .until(ignored -> run.finished)
                    .collect().last())
                    .chain(() -> pool.query(AuditEntryTable.UNSEALED).execute())
                    .map(rows -> run.result(rows.iterator().next().getLong(0)));
        }));
    }

    /** The newest seal as a signed checkpoint. Admins and approvers (who read the audit trail) may take one. */
    public Uni<Checkpoint> checkpoint(Caller caller) {
        if (caller.role() != Role.ADMIN && caller.role() != Role.APPROVER) {
            throw ApiException.forbidden("Only admins and approvers may read the audit checkpoint.");
        }
        return pool.query(AuditSealTable.NEWEST).execute().map(rows -> {
            if (rows.size() == 0) {
                throw ApiException.notFound("Nothing is sealed yet, so there is no checkpoint.");
            }
            Row r = rows.iterator().next();
            if (r.getBuffer("signature") == null) {
                throw ApiException.conflict("The newest seal is not signed yet (it predates signed seals); "
                        + "the sealer signs it on its next run.");
            }
            long firstSeq = r.getLong("first_seq");
            return new Checkpoint(r.getLong("seq"), firstSeq, firstSeq + r.getLong("n") - 1,
                    HEX.formatHex(r.getBuffer("prev_hash").getBytes()), HEX.formatHex(r.getBuffer("head").getBytes()),
                    SealStatement.time(r.getOffsetDateTime("sealed_at").toInstant()), r.getString("key_id"), "Ed25519",
                    Base64.getEncoder().encodeToString(r.getBuffer("signature").getBytes()));
        });
    }

    /** The trusted signing keys; any authenticated principal may read them, to check receipts and checkpoints. */
    public Uni<PublicKeys> publicKeys() {
        return keys.active().chain(() -> keys.all()).map(all -> {
            List<PublicKeyView> views = all.stream().filter(SealKeys.Stored::trusted)
                    .map(k -> new PublicKeyView(k.keyId(), Base64.getEncoder().encodeToString(k.publicKey()), k.createdAt(),
                            k.retiredAt(), k.active()))
                    .toList();
            String active = views.stream().filter(PublicKeyView::active).map(PublicKeyView::keyId).findFirst().orElse(null);
            return new PublicKeys("Ed25519", active, views);
        });
    }

    /** Admins only: a new active signing key; the old one keeps verifying what it signed. */
    public Uni<PublicKeys> rotateKey(Caller caller) {
        caller.requireAdmin("Only admins may rotate the audit signing key.");
        return keys.rotate(caller).chain(this::publicKeys);
    }

    /** A chain position and hash recorded earlier, that the chain must still hold. */
    private record Mark(long chainSeq, byte[] entryHash) {
        static Mark parse(CheckpointQuery q) {
            if (q == null || (q.chainSeq() == null && q.entryHash() == null)) {
                return null;
            }
            List<FieldError> errors = new ArrayList<>();
            long seq = 0;
            try {
                seq = q.chainSeq() == null ? 0 : Long.parseLong(q.chainSeq());
            } catch (NumberFormatException e) {
                seq = 0;
            }
            if (seq < 1) {
                errors.add(new FieldError("chain_seq", "must be a chain position (a whole number from 1), given with entry_hash"));
            }
            if (q.entryHash() == null || !q.entryHash().matches("[0-9a-fA-F]{64}")) {
                errors.add(new FieldError("entry_hash", "must be 64 hex digits, given with chain_seq"));
            }
            if (!errors.isEmpty()) {
                throw ApiException.invalid(errors);
            }
            return new Mark(seq, HEX.parseHex(q.entryHash().toLowerCase(java.util.Locale.ROOT)));
        }
    }

    /**
     * The seals archived with a dropped partition that stay in the database because they also hold
     * entries of the next day (and the archive's last seal, kept as the signed head): every entry of
     * theirs still in the database must be as sealed, and no entry may lie before the archived end of
     * the chain outside them. Few, so read at once.
     */
    private Uni<Void> verifyKeptSeals(VerifyRun run) {
        if (run.finished || run.archivedThrough == 0) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery(AuditSealTable.SEALS).execute(Tuple.of(0L, run.sealSeq, Long.MAX_VALUE))
                .flatMap(seals -> pool.preparedQuery(AuditEntryTable.RANGE)
                        .execute(Tuple.of(ChainKey.START.xidText(), ChainKey.START.id(), run.cursor.xidText(), run.cursor.id(),
                                AuditEntryTable.rangeLimit(seals)))
                        .invoke(entries -> run.checkKept(seals, entries)))
                .replaceWithVoid();
    }

    private Uni<Integer> verifyNextSeals(VerifyRun run) {
        if (run.finished) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery(AuditSealTable.SEALS).execute(Tuple.of(run.sealSeq, Long.MAX_VALUE, VERIFY_SEALS)).flatMap(seals -> {
            if (seals.size() == 0) {
                run.finished = true;
                return Uni.createFrom().item(0);
            }
            List<Row> list = new ArrayList<>();
            seals.forEach(list::add);
            Row last = list.get(list.size() - 1);
            return pool.preparedQuery(AuditEntryTable.RANGE)
                    .execute(Tuple.of(run.cursor.xidText(), run.cursor.id(), last.getString("last_xid"), last.getString("last_id"),
                            AuditEntryTable.rangeLimit(list)))
                    .map(entries -> {
                        run.check(list, entries);
                        run.finished |= seals.size() < VERIFY_SEALS;
                        return list.size();
                    });
        });
    }

    /** The state of one verification as it moves through the seals. */
    private static final class VerifyRun {
        AuditChain.Walk walk = new AuditChain.Walk();
        /** Chain positions up to here were archived with dropped partitions (0: none). */
        long archivedThrough;
        /** Entries of the next day checked against seals archived with the previous day. */
        long keptChecked;
        final Map<String, SealKeys.Stored> keys;
        final Mark mark;
        long sealSeq;
        ChainKey cursor = ChainKey.START;
        AuditChain.Break broken;
        Long brokenSeal;
        Boolean markMatched;
        boolean finished;

        VerifyRun(Map<String, SealKeys.Stored> keys, Mark mark) {
            this.keys = keys;
            this.mark = mark;
        }

        /**
         * Starts after the newest archive: its entries are gone from the database and verify offline
         * from the archive files. The row is trusted only under a signature of a key of this service,
         * so that deleting the oldest part of the chain in SQL and adding a row is still caught.
         */
        void resumeAfter(Row archive) {
            if (archive == null) {
                return;
            }
            String keyId = archive.getString("key_id");
            ArchiveStatement statement = new ArchiveStatement(archive.getString("partition_name"), archive.getLong("first_seal"),
                    archive.getLong("last_seal"), archive.getLong("first_chain_seq"), archive.getLong("last_chain_seq"),
                    archive.getBuffer("prev_hash").getBytes(), archive.getBuffer("head_hash").getBytes(), keyId);
            SealKeys.Stored stored = keys.get(keyId);
            if (stored == null || !stored.trusted()
                    || !SigningKey.verify(stored.publicKey(), statement.bytes(), archive.getBuffer("signature").getBytes())) {
                fail(new AuditChain.Break(null, statement.chainSeq(), "the record of archived partition " + statement.partition()
                        + " is not signed by a key of this service: the start of the chain was removed in the database"),
                        statement.lastSeal());
                return;
            }
            archivedThrough = statement.chainSeq();
            walk = new AuditChain.Walk(statement.chainSeq(), statement.entryHash());
            sealSeq = statement.lastSeal();
            cursor = ChainKey.of(archive.getString("last_xid"), archive.getString("last_id"));
            if (mark != null && mark.chainSeq() == archivedThrough) {
                markMatched = MessageDigest.isEqual(statement.entryHash(), mark.entryHash());
                if (!markMatched) {
                    fail(new AuditChain.Break(null, archivedThrough, "the archived chain differs from the checkpoint at chain_seq "
                            + archivedThrough), statement.lastSeal());
                }
            }
        }

        void check(List<Row> seals, RowSet<Row> rows) {
            // Entries of the whole range, in (xid, id) order; each seal takes its own out of it.
            List<Keyed> range = new ArrayList<>();
            for (Row r : rows) {
                range.add(new Keyed(AuditEntryTable.key(r), AuditEntryTable.entry(r)));
            }
            int next = 0;
            for (Row seal : seals) {
                long seq = seal.getLong("seq");
                long firstSeq = seal.getLong("first_seq");
                ChainKey sealEnd = ChainKey.of(seal.getString("last_xid"), seal.getString("last_id"));
                byte[] prev = seal.getBuffer("prev_hash").getBytes();
                String[] ids = seal.getArrayOfStrings("entry_ids");
                byte[] hashes = seal.getBuffer("entry_hashes").getBytes();
                Map<String, AuditEntry> mine = new HashMap<>();
                while (next < range.size() && range.get(next).key().compareTo(sealEnd) <= 0) {
                    mine.put(range.get(next).entry().id, range.get(next).entry());
                    next++;
                }
                if (seq != sealSeq + 1) {
                    fail(new AuditChain.Break(ids.length == 0 ? null : ids[0], firstSeq,
                            "audit seal " + seq + " follows seal " + sealSeq + ": the seals between them are missing"), seq);
                    return;
                }
                SealKeys.Stored stored = sealKey(seal, seq, firstSeq, ids, hashes);
                if (stored == null) {
                    return;
                }
                SigningKey key = stored.key();
                byte[] tags = seal.getBuffer("entry_tags").getBytes();
                for (int i = 0; i < ids.length; i++) {
                    AuditEntry e = mine.remove(ids[i]);
                    long position = firstSeq + i;
                    if (e == null) {
                        fail(new AuditChain.Break(ids[i], position,
                                "the entry is missing: it was deleted, or its id or xid changed, after it was sealed"), null);
                        return;
                    }
                    e.chainSeq = position;
                    e.prevHash = i == 0 ? prev : Arrays.copyOfRange(hashes, 32 * (i - 1), 32 * i);
                    e.entryHash = Arrays.copyOfRange(hashes, 32 * i, 32 * (i + 1));
                    AuditChain.Break b = walk.check(e);
                    if (b != null) {
                        fail(b, null);
                        return;
                    }
                    // The hashes agree with the content; the tag says whether the service sealed these hashes.
                    if (!key.tagMatches(e.entryHash, Arrays.copyOfRange(tags, SigningKey.TAG_BYTES * i, SigningKey.TAG_BYTES * (i + 1)))) {
                        fail(new AuditChain.Break(e.id, position, "its entry_hash is not the one the service sealed: "
                                + "the entry was changed and the chain's hashes recomputed"), null);
                        return;
                    }
                    if (mark != null && position == mark.chainSeq()) {
                        markMatched = MessageDigest.isEqual(e.entryHash, mark.entryHash());
                        if (!markMatched) {
                            fail(new AuditChain.Break(e.id, position, "the chain differs from the checkpoint at chain_seq "
                                    + position + ": the entry hash is " + HEX.formatHex(e.entryHash)
                                    + ", the checkpoint records " + HEX.formatHex(mark.entryHash())), null);
                            return;
                        }
                    }
                }
                if (!signatureHolds(seal, stored, seq, firstSeq, ids, hashes)) {
                    return;
                }
                if (!mine.isEmpty()) {
                    String intruder = mine.keySet().stream().sorted().findFirst().orElseThrow();
                    fail(new AuditChain.Break(intruder, null,
                            "the entry lies inside audit seal " + seq + " but the seal does not hold it: it was added after sealing"), seq);
                    return;
                }
                sealSeq = seq;
                cursor = sealEnd;
            }
        }

        /**
         * The seals through the newest archive's last seal that are still stored, and the entries up to
         * the archive's end that are still stored: those must be held by them and be as sealed. The
         * entries they held in the dropped partition are gone; the archive file holds them.
         */
        void checkKept(RowSet<Row> seals, RowSet<Row> rows) {
            Map<String, AuditEntry> left = new HashMap<>();
            for (Row r : rows) {
                AuditEntry e = AuditEntryTable.entry(r);
                left.put(e.id, e);
            }
            for (Row seal : seals) {
                long seq = seal.getLong("seq");
                long firstSeq = seal.getLong("first_seq");
                byte[] prev = seal.getBuffer("prev_hash").getBytes();
                String[] ids = seal.getArrayOfStrings("entry_ids");
                byte[] hashes = seal.getBuffer("entry_hashes").getBytes();
                SealKeys.Stored stored = sealKey(seal, seq, firstSeq, ids, hashes);
                if (stored == null) {
                    return;
                }
                byte[] tags = seal.getBuffer("entry_tags").getBytes();
                for (int i = 0; i < ids.length; i++) {
                    AuditEntry e = left.remove(ids[i]);
                    if (e == null) {
                        continue;
                    }
                    long position = firstSeq + i;
                    byte[] hash = Arrays.copyOfRange(hashes, 32 * i, 32 * (i + 1));
                    byte[] before = i == 0 ? prev : Arrays.copyOfRange(hashes, 32 * (i - 1), 32 * i);
                    if (!MessageDigest.isEqual(AuditChain.hash(before, e, position), hash)
                            || !stored.key().tagMatches(hash, Arrays.copyOfRange(tags, SigningKey.TAG_BYTES * i, SigningKey.TAG_BYTES * (i + 1)))) {
                        fail(new AuditChain.Break(e.id, position, "the entry was changed after it was sealed (its seal was archived with "
                                + "the previous day's partition; the entry stayed in the next day's)"), seq);
                        return;
                    }
                    keptChecked++;
                }
                if (!signatureHolds(seal, stored, seq, firstSeq, ids, hashes)) {
                    return;
                }
            }
            if (!left.isEmpty()) {
                String intruder = left.keySet().stream().sorted().findFirst().orElseThrow();
                fail(new AuditChain.Break(intruder, null, "the entry lies before the end of the archived chain but no seal holds it: "
                        + "it was added after sealing"), null);
            }
        }

        /** The trusted key that signed the seal, or null (the run failed) when the seal is damaged, unsigned or forged. */
        private SealKeys.Stored sealKey(Row seal, long seq, long firstSeq, String[] ids, byte[] hashes) {
            if (ids.length == 0 || hashes.length != 32 * ids.length) {
                fail(new AuditChain.Break(ids.length == 0 ? null : ids[0], firstSeq,
                        "audit seal " + seq + " is damaged: its ids and hashes do not pair up"), seq);
                return null;
            }
            String keyId = seal.getString("key_id");
            if (seal.getBuffer("signature") == null || keyId == null || seal.getBuffer("entry_tags") == null) {
                fail(new AuditChain.Break(ids[0], firstSeq, "audit seal " + seq + " is not signed: it predates signed "
                        + "seals and the sealer has not signed it yet, or its signature was removed"), seq);
                return null;
            }
            SealKeys.Stored stored = keys.get(keyId);
            if (stored == null || !stored.trusted()) {
                fail(new AuditChain.Break(ids[0], firstSeq, "audit seal " + seq + " is signed with key " + keyId
                        + ", which is not a key of this service (" + (stored == null ? "no such key is stored"
                                : stored.problem()) + "): the seal was forged"), seq);
                return null;
            }
            if (seal.getBuffer("entry_tags").length() != SigningKey.TAG_BYTES * ids.length) {
                fail(new AuditChain.Break(ids[0], firstSeq,
                        "audit seal " + seq + " is damaged: its ids and entry tags do not pair up"), seq);
                return null;
            }
            return stored;
        }

        /** Whether the seal's signature verifies over its statement; fails the run when not. */
        private boolean signatureHolds(Row seal, SealKeys.Stored stored, long seq, long firstSeq, String[] ids, byte[] hashes) {
            SealStatement statement = new SealStatement(seq, firstSeq, firstSeq + ids.length - 1, seal.getBuffer("prev_hash").getBytes(),
                    Arrays.copyOfRange(hashes, hashes.length - 32, hashes.length), seal.getOffsetDateTime("sealed_at").toInstant(),
                    stored.keyId());
            if (!SigningKey.verify(stored.publicKey(), statement.bytes(), seal.getBuffer("signature").getBytes())) {
                fail(new AuditChain.Break(ids[0], firstSeq, "the signature of audit seal " + seq + " does not verify under key "
                        + stored.keyId() + ": the seal was written or altered without the service's key"), seq);
                return false;
            }
            return true;
        }

        private void fail(AuditChain.Break b, Long seal) {
            broken = b;
            brokenSeal = seal;
            finished = true;
        }

        VerifyResult result(long unsealed) {
            if (broken == null && mark != null && markMatched == null && mark.chainSeq() > archivedThrough) {
                // The walk never reached the checkpoint's position: the newest seals and entries are gone.
                broken = new AuditChain.Break(null, mark.chainSeq(), "the chain ends at chain_seq " + walk.headSeq()
                        + ", but a checkpoint records chain_seq " + mark.chainSeq() + ": the newest seals were removed");
                markMatched = false;
            }
            BrokenView firstBroken = broken == null ? null
                    : new BrokenView(broken.id(), broken.chainSeq(), brokenSeal, broken.reason());
            HeadView head = walk.headSeq() == 0 ? null : new HeadView(walk.headSeq(), HEX.formatHex(walk.headHash()));
            return new VerifyResult(broken == null, walk.checked() + keptChecked, unsealed, firstBroken, head, markMatched);
        }
    }

    /** An entry read back with its place in sealing order. */
    private record Keyed(ChainKey key, AuditEntry entry) {
    }

    EntryView view(AuditEntry e) {
        ActorView actor = e.actorId == null && e.actorName == null ? null : new ActorView(e.actorId, e.actorName, e.actorRole);
        return new EntryView(e.id, e.recordedAt, e.action, e.outcome, actor, e.sourceIp, e.namespace, e.path, e.targetId,
                details(e.details), e.chainSeq, hex(e.prevHash), hex(e.entryHash), e.chainSeq != null);
    }

    /** The recorded JSON object; text that no longer parses (edited in SQL) is shown as it is stored. */
    private JsonNode details(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(stored);
        }
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? null : HEX.formatHex(bytes);
    }
}
