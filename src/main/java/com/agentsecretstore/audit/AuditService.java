package com.agentsecretstore.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;


import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.audit.AuditApi.ActorView;
import com.agentsecretstore.audit.AuditApi.BrokenView;
import com.agentsecretstore.audit.AuditApi.EntryView;
import com.agentsecretstore.audit.AuditApi.HeadView;
import com.agentsecretstore.audit.AuditApi.ListQuery;
import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
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

    /** Where each listed entry sits: the first seal at or after it, and its position in that seal. */
    private static final String PLACES = "select e.id, s.first_seq + p.i - 1, "
            + "case when p.i = 1 then s.prev_hash else substring(s.entry_hashes from (p.i::int - 2) * 32 + 1 for 32) end, "
            + "substring(s.entry_hashes from (p.i::int - 1) * 32 + 1 for 32) "
            + "from audit_entry e "
            + "cross join lateral (select * from audit_seal s where (s.last_xid, s.last_id) >= (e.xid, e.id) "
            + "order by s.last_xid, s.last_id limit 1) s "
            + "cross join lateral (select array_position(s.entry_ids, e.id) as i) p "
            + "where e.id = any($1) and p.i is not null";
    private static final String SEALS = "select seq, first_seq, last_xid::text, last_id, prev_hash, entry_ids, entry_hashes "
            + "from audit_seal where seq > $1 order by seq limit $2";
    private static final String RANGE = "select " + AuditRows.COLUMNS + " from audit_entry e "
            + "where (e.xid, e.id) > ($1::text::xid8, $2) and (e.xid, e.id) <= ($3::text::xid8, $4) " + AuditRows.ORDER;
    /** Entries after the newest seal, wherever a walk stopped. */
    private static final String UNSEALED = "select count(*) from audit_entry where (xid, id) > (select x, i from "
            + "(select last_xid as x, last_id as i from audit_seal union all select '0'::xid8, '') c order by x desc, i desc limit 1)";

    private final ObjectMapper json;
    private final Pool pool;

    public AuditService(ObjectMapper json, Pool pool) {
        this.json = json;
        this.pool = pool;
    }

    /**
     * A page of entries, newest first, matching every given filter and the caller's reach. An
     * approver reaches its namespaces, and the request rows of namespaces whose policy lists it
     * (it may see those requests by the access model).
     */
    @WithSession
    public Uni<Page<EntryView>> list(Caller caller, ListQuery query) {
        if (caller.role() != Role.ADMIN && caller.role() != Role.APPROVER) {
            throw ApiException.forbidden("Only admins and approvers may read the audit trail.");
        }
        AuditFilter filter = AuditFilter.parse(query);
        if (caller.role() != Role.APPROVER) {
            return list(filter, new ArrayList<>(), new Parameters());
        }
        return Panache.getSession().flatMap(s -> s.createNativeQuery(AccessModel.namespacesListingSql(":me"), String.class)
                .setParameter("me", caller.id()).getResultList()).flatMap(listed -> {
            List<String> where = new ArrayList<>();
            Parameters params = new Parameters();
            List<String> reach = caller.namespaces() == null ? List.of() : caller.namespaces();
            if (filter.namespace() != null && !reach.contains(filter.namespace()) && !listed.contains(filter.namespace())) {
                throw ApiException.forbidden("Approvers may read the audit trail of their own namespaces only.");
            }
            if (reach.isEmpty() && listed.isEmpty()) {
                return Uni.createFrom().item(new Page<>(List.of(), null));
            }
            // "/" names no namespace: HQL's "in" needs a non-empty list.
            where.add("(namespace in :reach or (namespace in :listed and targetId like 'apr\\_%' escape '\\'))");
            params.and("reach", reach.isEmpty() ? List.of("/") : reach);
            params.and("listed", listed.isEmpty() ? List.of("/") : listed);
            return list(filter, where, params);
        });
    }

    private Uni<Page<EntryView>> list(AuditFilter filter, List<String> where, Parameters params) {
        if (filter.actorId() != null) {
            where.add("actorId = :actor");
            params.and("actor", filter.actorId());
        }
        if (filter.namespace() != null) {
            where.add("namespace = :namespace");
            params.and("namespace", filter.namespace());
        }
        if (filter.path() != null) {
            where.add("path = :path");
            params.and("path", filter.path());
        }
        if (filter.action() != null) {
            where.add("action = :action");
            params.and("action", filter.action());
        }
        if (filter.actionPrefix() != null) {
            where.add("action like :actionPrefix escape '\\'");
            params.and("actionPrefix", escapeLike(filter.actionPrefix()) + "%");
        }
        if (filter.outcome() != null) {
            where.add("outcome = :outcome");
            params.and("outcome", filter.outcome());
        }
        if (filter.from() != null) {
            where.add("recordedAt >= :from");
            params.and("from", filter.from());
        }
        if (filter.to() != null) {
            where.add("recordedAt < :to");
            params.and("to", filter.to());
        }
        if (filter.beforeId() != null) {
            where.add("id < :before");
            params.and("before", filter.beforeId());
        }
        String hql = (where.isEmpty() ? "" : String.join(" and ", where) + " ") + "order by id desc";
        int limit = filter.limit();
        return AuditEntry.<AuditEntry>find(hql, params)
                .range(0, limit)
                .list()
                .flatMap(rows -> places(rows).map(ignored -> Page.of(rows, limit, e -> e.id, this::view)));
    }

    /** Fills each entry's transient chain fields from the seal that holds it (left null when unsealed). */
    private Uni<Void> places(List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, AuditEntry> byId = new HashMap<>();
        entries.forEach(e -> byId.put(e.id, e));
        return pool.preparedQuery(PLACES).execute(Tuple.of(byId.keySet().toArray(String[]::new))).map(rows -> {
            for (Row row : rows) {
                AuditEntry e = byId.get(row.getString(0));
                e.chainSeq = row.getLong(1);
                e.prevHash = row.getBuffer(2).getBytes();
                e.entryHash = row.getBuffer(3).getBytes();
            }
            return null;
        });
    }

    /**
     * Walks the whole chain seal by seal, {@link #VERIFY_SEALS} seals per round trip, and reports
     * the first entry that does not follow from those before it (see {@link AuditChain.Walk} for
     * what this can and cannot detect), including a sealed entry that is gone and an entry that
     * appeared inside a sealed range. Entries not sealed yet are counted, not checked.
     */
    public Uni<VerifyResult> verify(Caller caller) {
        if (!caller.isAdmin()) {
            throw ApiException.forbidden("Only admins may verify the audit chain.");
        }
        VerifyRun run = new VerifyRun();
        return Multi.createBy().repeating()
                .uni(() -> run, this::verifyNextSeals)
                .until(ignored -> run.finished)
                .collect().last()
                .chain(() -> pool.query(UNSEALED).execute())
                .map(rows -> run.result(rows.iterator().next().getLong(0)));
    }

    private Uni<Integer> verifyNextSeals(VerifyRun run) {
        return pool.preparedQuery(SEALS).execute(Tuple.of(run.sealSeq, VERIFY_SEALS)).flatMap(seals -> {
            if (seals.size() == 0) {
                run.finished = true;
                return Uni.createFrom().item(0);
            }
            List<Row> list = new ArrayList<>();
            seals.forEach(list::add);
            Row last = list.get(list.size() - 1);
            return pool.preparedQuery(RANGE)
                    .execute(Tuple.of(run.cursor.xidText(), run.cursor.id(), last.getString(2), last.getString(3)))
                    .map(entries -> {
                        run.check(list, entries);
                        run.finished |= seals.size() < VERIFY_SEALS;
                        return list.size();
                    });
        });
    }

    /** The state of one verification as it moves through the seals. */
    private static final class VerifyRun {
        final AuditChain.Walk walk = new AuditChain.Walk();
        long sealSeq;
        ChainKey cursor = ChainKey.START;
        AuditChain.Break broken;
        boolean finished;

        void check(List<Row> seals, RowSet<Row> rows) {
            // Entries of the whole range, in (xid, id) order; each seal takes its own out of it.
            List<Keyed> range = new ArrayList<>();
            for (Row r : rows) {
                range.add(new Keyed(AuditRows.key(r), AuditRows.entry(r)));
            }
            int next = 0;
            for (Row seal : seals) {
                long seq = seal.getLong(0);
                long firstSeq = seal.getLong(1);
                ChainKey sealEnd = ChainKey.of(seal.getString(2), seal.getString(3));
                byte[] prev = seal.getBuffer(4).getBytes();
                String[] ids = seal.getArrayOfStrings(5);
                byte[] hashes = seal.getBuffer(6).getBytes();
                Map<String, AuditEntry> mine = new HashMap<>();
                while (next < range.size() && range.get(next).key().compareTo(sealEnd) <= 0) {
                    mine.put(range.get(next).entry().id, range.get(next).entry());
                    next++;
                }
                if (seq != sealSeq + 1) {
                    fail(new AuditChain.Break(ids.length == 0 ? null : ids[0], firstSeq,
                            "audit seal " + seq + " follows seal " + sealSeq + ": the seals between them are missing"));
                    return;
                }
                if (ids.length == 0 || hashes.length != 32 * ids.length) {
                    fail(new AuditChain.Break(ids.length == 0 ? null : ids[0], firstSeq,
                            "audit seal " + seq + " is damaged: its ids and hashes do not pair up"));
                    return;
                }
                for (int i = 0; i < ids.length; i++) {
                    AuditEntry e = mine.remove(ids[i]);
                    long position = firstSeq + i;
                    if (e == null) {
                        fail(new AuditChain.Break(ids[i], position,
                                "the entry is missing: it was deleted, or its id or xid changed, after it was sealed"));
                        return;
                    }
                    e.chainSeq = position;
                    e.prevHash = i == 0 ? prev : Arrays.copyOfRange(hashes, 32 * (i - 1), 32 * i);
                    e.entryHash = Arrays.copyOfRange(hashes, 32 * i, 32 * (i + 1));
                    AuditChain.Break b = walk.check(e);
                    if (b != null) {
                        fail(b);
                        return;
                    }
                }
                if (!mine.isEmpty()) {
                    String intruder = mine.keySet().stream().sorted().findFirst().orElseThrow();
                    fail(new AuditChain.Break(intruder, null,
                            "the entry lies inside audit seal " + seq + " but the seal does not hold it: it was added after sealing"));
                    return;
                }
                sealSeq = seq;
                cursor = sealEnd;
            }
        }

        private void fail(AuditChain.Break b) {
            broken = b;
            finished = true;
        }

        VerifyResult result(long unsealed) {
            BrokenView firstBroken = broken == null ? null : new BrokenView(broken.id(), broken.chainSeq(), broken.reason());
            HeadView head = walk.headSeq() == 0 ? null : new HeadView(walk.headSeq(), HEX.formatHex(walk.headHash()));
            return new VerifyResult(broken == null, walk.checked(), unsealed, firstBroken, head);
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

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
