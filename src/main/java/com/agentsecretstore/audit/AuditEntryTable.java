package com.agentsecretstore.audit;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.agentsecretstore.common.Ids;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The SQL of {@code audit_entry}: its inserts, the listing and the placing of listed entries in their
 * seals, with the row mapper. Rows are only ever inserted; the sealer, verify and the archiver read
 * them in sealing order through {@link #COLUMNS} and {@link #ORDER}.
 */
final class AuditEntryTable {

    /**
     * The hashed columns of {@code audit_entry e}, then the entry's xid as text. The text column
     * has its own name: named {@code xid}, an {@code order by xid} would sort the text, not the xid8.
     */
    static final String COLUMNS = "e.id, e.recorded_at, e.action, e.outcome, e.actor_id, e.actor_name, e.actor_role, "
            + "e.namespace, e.path, e.target_id, e.source_ip, e.details, e.xid::text as xid_text";
    /** Sealing order. Qualified, so that it is the xid8 column whatever the select list names. */
    static final String ORDER = "order by e.xid, e.id";

    /**
     * Entries after sealing key ({@code $1}, {@code $2}) up to ({@code $3}, {@code $4}), in sealing
     * order, at most {@code $5} (see {@link #rangeLimit}).
     */
    static final String RANGE = "select " + COLUMNS + " from audit_entry e "
            + "where (e.xid, e.id) > ($1::text::xid8, $2) and (e.xid, e.id) <= ($3::text::xid8, $4) " + ORDER + " limit $5";
    /** Entries beyond those the seals hold that a {@link #RANGE} read returns, so that entries added inside them are seen. */
    static final int RANGE_SLACK = 1000;

    /**
     * The bound of a {@link #RANGE} read over these seals: the entries they hold and {@link #RANGE_SLACK}
     * more. Not only a bound: PostgreSQL estimates a key range by the xid alone, so a range inside one
     * transaction's entries (a bulk load, the entries V6 gave xid 0) looked like millions of rows and
     * was read by sorting a parallel scan of whole partitions; with the limit it walks the index.
     */
    static long rangeLimit(Iterable<Row> seals) {
        long held = 0;
        for (Row seal : seals) {
            held += seal.getArrayOfStrings("entry_ids").length;
        }
        return held + RANGE_SLACK;
    }
    /**
     * Up to {@code $3} entries after sealing key ({@code $1}, {@code $2}) that the sealer may seal: of
     * transactions below the horizon ({@link AuditSealer#HORIZON}), which no running one can join.
     */
    static final String PENDING = "select " + COLUMNS + " from audit_entry e, (" + AuditSealer.HORIZON + ") h "
            + "where (e.xid, e.id) > ($1::text::xid8, $2) and e.xid < h.horizon " + ORDER + " limit $3";
    /** The first entry still here at or before sealing key ({@code $1}, {@code $2}). */
    static final String FIRST_AT_OR_BEFORE = "select e.xid::text as xid_text, e.id from audit_entry e "
            + "where (e.xid, e.id) <= ($1::text::xid8, $2) order by e.xid, e.id limit 1";
    /** Entries after the newest seal, wherever the chain ends (seals of dropped partitions may be gone). */
    static final String UNSEALED = "select count(*) from audit_entry where (xid, id) > (select x, i from "
            + "(select last_xid as x, last_id as i from audit_seal union all select last_xid, last_id from audit_archive "
            + "union all select '0'::xid8, '') c order by x desc, i desc limit 1)";

    private static final String INSERTED = "insert into audit_entry (id, recorded_at, action, outcome, actor_id, "
            + "actor_name, actor_role, namespace, path, target_id, source_ip, details) ";
    /** Any number of entries in one statement: one array per column. */
    static final String INSERT = INSERTED + "select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], "
            + "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])";
    /** One entry in a Hibernate Reactive transaction, which binds by name. */
    private static final String INSERT_IN_SESSION = INSERTED + "values (:id, :recordedAt, :action, :outcome, :actorId, "
            + ":actorName, :actorRole, :namespace, :path, :targetId, :sourceIp, :details)";

    /**
     * Where each listed entry sits: the seal holding it (the first at or after its sealing key), and
     * its position there. Each seal's ids are unnested once, however many listed entries it holds.
     */
    private static final String PLACES = "with listed as (select e.id, (select s.seq from audit_seal s "
            + "where (s.last_xid, s.last_id) >= (e.xid::xid8, e.id) order by s.last_xid, s.last_id limit 1) as seq "
            + "from unnest($1::text[], $2::text[]) as e(xid, id)) "
            + "select u.id, s.first_seq + u.i - 1 as chain_seq, "
            + "case when u.i = 1 then s.prev_hash else substring(s.entry_hashes from (u.i::int - 2) * 32 + 1 for 32) end as prev_hash, "
            + "substring(s.entry_hashes from (u.i::int - 1) * 32 + 1 for 32) as entry_hash "
            + "from audit_seal s cross join lateral unnest(s.entry_ids) with ordinality as u(id, i) "
            + "where s.seq in (select seq from listed) and (s.seq, u.id) in (select seq, id from listed)";

    /**
     * The distinct actions, walked down the {@code (action, id)} index one value at a time, for a
     * prefix filter: each matching action is then paged through its own index range, newest first.
     */
    private static final String ACTIONS = "with recursive actions(action) as (select min(action) from audit_entry "
            + "union all select (select min(x.action) from audit_entry x where x.action > a.action) from actions a "
            + "where a.action is not null) ";

    /**
     * An entry's id carries its recorded_at to the millisecond ({@link AuditLog}). Rows written before
     * that was so took the id's time from a separate reading of the clock, a moment earlier: the id
     * range of a time window is widened by this much, and recorded_at itself still decides.
     */
    private static final Duration ID_TIME_SLACK = Duration.ofSeconds(1);

    private AuditEntryTable() {
    }

    static AuditEntry entry(Row row) {
        AuditEntry e = new AuditEntry();
        e.id = row.getString("id");
        e.recordedAt = row.getOffsetDateTime("recorded_at").toInstant();
        e.action = row.getString("action");
        e.outcome = row.getString("outcome");
        e.actorId = row.getString("actor_id");
        e.actorName = row.getString("actor_name");
        e.actorRole = row.getString("actor_role");
        e.namespace = row.getString("namespace");
        e.path = row.getString("path");
        e.targetId = row.getString("target_id");
        e.sourceIp = row.getString("source_ip");
        e.details = row.getString("details");
        return e;
    }

    /** The entry's place in sealing order, from {@link #COLUMNS}. */
    static ChainKey key(Row row) {
        return ChainKey.of(row.getString("xid_text"), row.getString("id"));
    }

    /** The parameters of {@link #INSERT} for these entries. */
    static Tuple columns(List<AuditEntry> group) {
        int n = group.size();
        String[] id = new String[n], action = new String[n], outcome = new String[n], actorId = new String[n],
                actorName = new String[n], actorRole = new String[n], namespace = new String[n], path = new String[n],
                targetId = new String[n], sourceIp = new String[n], details = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            AuditEntry e = group.get(i);
            id[i] = e.id;
            at[i] = e.recordedAt.atOffset(ZoneOffset.UTC);
            action[i] = e.action;
            outcome[i] = e.outcome;
            actorId[i] = e.actorId;
            actorName[i] = e.actorName;
            actorRole[i] = e.actorRole;
            namespace[i] = e.namespace;
            path[i] = e.path;
            targetId[i] = e.targetId;
            sourceIp[i] = e.sourceIp;
            details[i] = e.details;
        }
        return Tuple.from(Arrays.asList(id, at, action, outcome, actorId, actorName, actorRole, namespace, path, targetId,
                sourceIp, details));
    }

    /** Inserts the entry in the current Hibernate Reactive transaction, with the change it records. */
    static Uni<Void> insertInSession(AuditEntry e) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(INSERT_IN_SESSION)
                .setParameter("id", e.id)
                .setParameter("recordedAt", e.recordedAt.atOffset(ZoneOffset.UTC))
                .setParameter("action", e.action)
                .setParameter("outcome", e.outcome)
                .setParameter("actorId", e.actorId)
                .setParameter("actorName", e.actorName)
                .setParameter("actorRole", e.actorRole)
                .setParameter("namespace", e.namespace)
                .setParameter("path", e.path)
                .setParameter("targetId", e.targetId)
                .setParameter("sourceIp", e.sourceIp)
                .setParameter("details", e.details)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** What an approver may read beyond its own namespaces: see {@link AuditService#list}. */
    record Reach(List<String> namespaces, List<String> listed, List<String> escalated) {
    }

    /**
     * One page of entries newest first, up to {@code filter.limit() + 1} of them (so the caller knows
     * there is more), with their sealing keys. {@code reach} is null for a caller who reads everything.
     */
    static Uni<List<Listed>> page(SqlClient client, AuditFilter filter, Reach reach) {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (reach != null) {
            where.add("(e.namespace = any(" + param(params, reach.namespaces().toArray(String[]::new)) + ") or (e.namespace = any("
                    + param(params, reach.listed().toArray(String[]::new)) + ") and e.target_id like 'apr\\_%') or e.target_id = any("
                    + param(params, reach.escalated().toArray(String[]::new)) + "))");
        }
        equal(where, params, "e.actor_id", filter.actorId());
        equal(where, params, "e.namespace", filter.namespace());
        equal(where, params, "e.path", filter.path());
        equal(where, params, "e.action", filter.action());
        equal(where, params, "e.outcome", filter.outcome());
        if (filter.from() != null) {
            where.add("e.recorded_at >= " + param(params, filter.from().atOffset(ZoneOffset.UTC)));
            where.add("e.id >= " + param(params, Ids.floor("aud", filter.from().minus(ID_TIME_SLACK).toEpochMilli())));
        }
        if (filter.to() != null) {
            where.add("e.recorded_at < " + param(params, filter.to().atOffset(ZoneOffset.UTC)));
            where.add("e.id < " + param(params, Ids.floor("aud", filter.to().plus(ID_TIME_SLACK).toEpochMilli() + 1)));
        }
        if (filter.beforeId() != null) {
            where.add("e.id < " + param(params, filter.beforeId()));
        }
        String limit = param(params, filter.limit() + 1);
        String sql;
        if (filter.actionPrefix() == null) {
            sql = "select " + COLUMNS + " from audit_entry e" + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                    + " order by e.id desc limit " + limit;
        } else {
            // action like 'x.%' spans several values of the (action, id) index, which no index scan returns in id
            // order: page through each matching action's own range, then merge the pages.
            where.add(0, "e.action = a.action");
            sql = ACTIONS + "select p.* from actions a cross join lateral (select " + COLUMNS + " from audit_entry e where "
                    + String.join(" and ", where) + " order by e.id desc limit " + limit + ") p where a.action like "
                    + param(params, escapeLike(filter.actionPrefix()) + "%") + " escape '\\' order by p.id desc limit " + limit;
        }
        return client.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<Listed> page = new ArrayList<>();
            rows.forEach(row -> page.add(new Listed(entry(row), row.getString("xid_text"))));
            return page;
        });
    }

    /** A listed entry and its transaction id as text (its sealing key with the id). */
    record Listed(AuditEntry entry, String xid) {
    }

    /** Fills each entry's chain fields from the seal that holds it (left null while unsealed). */
    static Uni<Void> place(SqlClient client, List<Listed> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, AuditEntry> byId = new HashMap<>();
        entries.forEach(l -> byId.put(l.entry().id, l.entry()));
        String[] xids = entries.stream().map(Listed::xid).toArray(String[]::new);
        String[] ids = entries.stream().map(l -> l.entry().id).toArray(String[]::new);
        return client.preparedQuery(PLACES).execute(Tuple.of(xids, ids)).map(rows -> {
            for (Row row : rows) {
                AuditEntry e = byId.get(row.getString("id"));
                e.chainSeq = row.getLong("chain_seq");
                e.prevHash = row.getBuffer("prev_hash").getBytes();
                e.entryHash = row.getBuffer("entry_hash").getBytes();
            }
            return null;
        });
    }

    private static void equal(List<String> where, List<Object> params, String column, String value) {
        if (value != null) {
            where.add(column + " = " + param(params, value));
        }
    }

    private static String param(List<Object> params, Object value) {
        params.add(value);
        return "$" + params.size();
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
