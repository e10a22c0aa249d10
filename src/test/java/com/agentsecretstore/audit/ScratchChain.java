package com.agentsecretstore.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;

import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.crypto.Barrier;
import com.agentsecretstore.crypto.SigningKey;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.support.Db;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Arc;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * An audit chain of its own, in a schema of its own ({@code <test schema>_chain}, created afresh),
 * with the real {@link AuditSealer} and the real verify of {@link AuditService} working on it. Entries
 * can be given any transaction id below the current one, so a test can put them across any power of
 * ten without burning ids, and nothing else in the suite writes to it.
 */
final class ScratchChain implements AutoCloseable {

    static final Caller ADMIN = new Caller("prn_scratch", "scratch-admin", Role.ADMIN, List.of(), null, null);

    final String schema;
    private final Pool pool;
    private final AuditSealer sealer;
    private final AuditService service;
    private SealKeys keys;
    /** One autocommit connection for the test's own statements, its search path this schema. */
    private final Connection jdbc;

    ScratchChain(Vertx vertx, ObjectMapper json, int batchSize) {
        var config = ConfigProvider.getConfig();
        String main = config.getValue("ass.db.schema", String.class);
        this.schema = main + "_chain";
        exec("drop schema if exists " + schema + " cascade", "create schema " + schema,
                "create table " + schema + ".audit_entry (like " + main + ".audit_entry including all)",
                "create table " + schema + ".audit_seal (like " + main + ".audit_seal including all)",
                "create table " + schema + ".audit_signing_key (like " + main + ".audit_signing_key including all)",
                "create table " + schema + ".audit_archive (like " + main + ".audit_archive including all)");
        try {
            this.jdbc = Db.connect();
            try (Statement s = jdbc.createStatement()) {
                s.execute("set search_path to " + schema);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        String url = config.getValue("quarkus.datasource.reactive.url", String.class);
        PgConnectOptions options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:") ? url.substring(15) : url)
                .setUser(config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres"))
                .addProperty("search_path", schema);
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(options::setPassword);
        this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(options).using(vertx).build();
        this.sealer = new AuditSealer(new AuditConfig() {
            @Override
            public Duration sealInterval() {
                return Duration.ofSeconds(1);
            }

            @Override
            public int sealBatchSize() {
                return batchSize;
            }

            @Override
            public java.util.Optional<Duration> retention() {
                return java.util.Optional.empty();
            }

            @Override
            public String exportDir() {
                return "target/audit-archive";
            }

            @Override
            public int partitionsAhead() {
                return 0;
            }

            @Override
            public Duration maintenanceInterval() {
                return Duration.ofMinutes(10);
            }
        }, pool, keys(), arc(Clock.class));
        this.service = new AuditService(json, pool, keys);
    }

    /**
     * The real key store on this schema, with the service's barrier. Its first key is stored here,
     * without the audit entry that creating it through the service writes, so that the chain holds
     * the test's entries only.
     */
    private SealKeys keys() {
        Barrier barrier = arc(Barrier.class);
        SigningKey first = SigningKey.generate("ask_scratch_1");
        Barrier.Sealed sealed = first.seal(barrier);
        exec(c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into audit_signing_key (key_id, public_key, master_key_id, "
                    + "wrapped_key, sealed_seed, created_at) values (?, ?, ?, ?, ?, now())")) {
                ps.setString(1, first.id());
                ps.setBytes(2, first.publicKey());
                ps.setString(3, sealed.masterKeyId());
                ps.setBytes(4, sealed.wrappedKey());
                ps.setBytes(5, sealed.ciphertext());
                ps.execute();
            }
        });
        this.keys = new SealKeys(pool, barrier, arc(Clock.class), arc(AuditLog.class));
        return keys;
    }

    private static <T> T arc(Class<T> type) {
        return Arc.container().instance(type).get();
    }

    VerifyResult verify(String chainSeq, String entryHash) {
        return await(service.verify(ADMIN, new AuditApi.CheckpointQuery(chainSeq, entryHash)));
    }

    AuditApi.Checkpoint checkpoint() {
        return await(service.checkpoint(ADMIN));
    }

    /** Rotates the signing key; its audit entry goes into this chain like any other. */
    AuditApi.PublicKeys rotateKey() {
        return await(service.rotateKey(ADMIN));
    }

    AuditApi.PublicKeys publicKeys() {
        return await(service.publicKeys());
    }

    /** Inserts an entry as transaction {@code xid} would have written it. */
    void insert(String id, long xid) {
        exec(c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into audit_entry (id, recorded_at, action, outcome, details, xid) "
                    + "values (?, now(), 'test.inserted', 'success', ?, ?::text::xid8)")) {
                ps.setString(1, id);
                ps.setString(2, "{\"xid\":" + xid + "}");
                ps.setString(3, Long.toString(xid));
                ps.execute();
            }
        });
    }

    /** Runs the real sealer, run after run, until it has caught up; returns how many entries it sealed. */
    int seal() {
        int total = 0;
        for (int sealed = await(sealer.sealPending()); sealed > 0; sealed = await(sealer.sealPending())) {
            total += sealed;
        }
        return total;
    }

    VerifyResult verify() {
        return await(service.verify(ADMIN, null));
    }

    /** The sealed ids in chain order. */
    List<String> chain() {
        List<String> ids = new ArrayList<>();
        exec(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "select u.id from audit_seal s, unnest(s.entry_ids) with ordinality u(id, i) order by s.seq, u.i")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        });
        return ids;
    }

    /** Every entry's id in numeric (xid, id) order: the order the chain must have. */
    List<String> entriesInXidOrder() {
        List<String> ids = new ArrayList<>();
        exec(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select id from audit_entry order by xid, id")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        });
        return ids;
    }

    long count(String sql) {
        long[] n = new long[1];
        exec(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                n[0] = rs.getLong(1);
            }
        });
        return n[0];
    }

    /**
     * Seals one batch exactly as the sealer did before issue 11 was fixed, to build the chains the
     * V7 repair meets: the same SQL, whose {@code order by xid} sorted the text of the xid.
     */
    int sealAsBeforeTheFix(int limit) {
        int[] sealed = new int[1];
        exec(c -> {
            long sealSeq = 0;
            long lastSeq = 0;
            String lastXid = "0";
            String lastId = "";
            byte[] prev = AuditChain.GENESIS;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select seq, first_seq + cardinality(entry_ids) - 1, "
                    + "last_xid::text, last_id, substring(entry_hashes from length(entry_hashes) - 31) from audit_seal order by seq desc limit 1")) {
                if (rs.next()) {
                    sealSeq = rs.getLong(1);
                    lastSeq = rs.getLong(2);
                    lastXid = rs.getString(3);
                    lastId = rs.getString(4);
                    prev = rs.getBytes(5);
                }
            }
            List<String> ids = new ArrayList<>();
            ByteBuffer hashes = ByteBuffer.allocate(32 * limit);
            byte[] first = prev;
            try (PreparedStatement ps = c.prepareStatement("select id, recorded_at, action, outcome, actor_id, actor_name, "
                    + "actor_role, namespace, path, target_id, source_ip, details, xid::text from audit_entry "
                    + "where (xid, id) > (?::text::xid8, ?) and xid < pg_snapshot_xmin(pg_current_snapshot()) "
                    + "order by xid, id limit ?")) {
                ps.setString(1, lastXid);
                ps.setString(2, lastId);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        AuditEntry e = new AuditEntry();
                        e.id = rs.getString(1);
                        e.recordedAt = rs.getObject(2, java.time.OffsetDateTime.class).toInstant();
                        e.action = rs.getString(3);
                        e.outcome = rs.getString(4);
                        e.actorId = rs.getString(5);
                        e.actorName = rs.getString(6);
                        e.actorRole = rs.getString(7);
                        e.namespace = rs.getString(8);
                        e.path = rs.getString(9);
                        e.targetId = rs.getString(10);
                        e.sourceIp = rs.getString(11);
                        e.details = rs.getString(12);
                        prev = AuditChain.hash(prev, e, lastSeq + ids.size() + 1);
                        hashes.put(prev);
                        ids.add(e.id);
                        lastXid = rs.getString(13);
                        lastId = e.id;
                    }
                }
            }
            if (ids.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("insert into audit_seal (seq, first_seq, last_xid, last_id, prev_hash, "
                    + "entry_ids, entry_hashes, sealed_at) values (?, ?, ?::text::xid8, ?, ?, ?, ?, now())")) {
                Array idArray = c.createArrayOf("text", ids.toArray());
                byte[] all = new byte[32 * ids.size()];
                hashes.flip();
                hashes.get(all);
                ps.setLong(1, sealSeq + 1);
                ps.setLong(2, lastSeq + 1);
                ps.setString(3, lastXid);
                ps.setString(4, lastId);
                ps.setBytes(5, first);
                ps.setArray(6, idArray);
                ps.setBytes(7, all);
                ps.execute();
            }
            sealed[0] = ids.size();
        });
        return sealed[0];
    }

    /**
     * What a database admin without the key can do after editing entries: recompute every hash of
     * every seal from the entries as they now are, so that the hashes alone say nothing is wrong.
     */
    void recomputeEveryHash() {
        exec(c -> {
            List<Object[]> seals = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select seq, entry_ids from audit_seal order by seq")) {
                while (rs.next()) {
                    seals.add(new Object[] { rs.getLong(1), rs.getArray(2).getArray() });
                }
            }
            byte[] prev = AuditChain.GENESIS;
            long position = 0;
            for (Object[] seal : seals) {
                String[] ids = (String[]) seal[1];
                byte[] first = prev;
                ByteBuffer hashes = ByteBuffer.allocate(32 * ids.length);
                for (String id : ids) {
                    try (PreparedStatement ps = c.prepareStatement("select id, recorded_at, action, outcome, actor_id, actor_name, "
                            + "actor_role, namespace, path, target_id, source_ip, details from audit_entry where id = ?")) {
                        ps.setString(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            prev = AuditChain.hash(prev, entry(rs), ++position);
                            hashes.put(prev);
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("update audit_seal set prev_hash = ?, entry_hashes = ? where seq = ?")) {
                    ps.setBytes(1, first);
                    ps.setBytes(2, hashes.array());
                    ps.setLong(3, (Long) seal[0]);
                    ps.execute();
                }
            }
        });
    }

    private static AuditEntry entry(ResultSet rs) throws SQLException {
        AuditEntry e = new AuditEntry();
        e.id = rs.getString(1);
        e.recordedAt = rs.getObject(2, java.time.OffsetDateTime.class).toInstant();
        e.action = rs.getString(3);
        e.outcome = rs.getString(4);
        e.actorId = rs.getString(5);
        e.actorName = rs.getString(6);
        e.actorRole = rs.getString(7);
        e.namespace = rs.getString(8);
        e.path = rs.getString(9);
        e.targetId = rs.getString(10);
        e.sourceIp = rs.getString(11);
        e.details = rs.getString(12);
        return e;
    }

    /**
     * Signs seal {@code seq} again with a key that is not the service's, over the statement of the
     * seal as it now stands. With {@code asStoredKey} the forger also stores its public key as a
     * signing key (it cannot seal the private half with the master key) and names it on the seal;
     * otherwise the seal keeps naming the service's key.
     */
    void forgeSeal(long seq, SigningKey forger, boolean asStoredKey) {
        exec(c -> {
            String keyId;
            try (PreparedStatement ps = c.prepareStatement("select key_id from audit_seal where seq = ?")) {
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    keyId = asStoredKey ? forger.id() : rs.getString(1);
                }
            }
            if (asStoredKey) {
                try (PreparedStatement ps = c.prepareStatement("insert into audit_signing_key (key_id, public_key, master_key_id, "
                        + "wrapped_key, sealed_seed, created_at, retired_at) values (?, ?, 'test1', ?, ?, now(), now())")) {
                    ps.setString(1, forger.id());
                    ps.setBytes(2, forger.publicKey());
                    ps.setBytes(3, new byte[60]);
                    ps.setBytes(4, new byte[61]);
                    ps.execute();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select seq, first_seq, cardinality(entry_ids), prev_hash, "
                    + "substring(entry_hashes from length(entry_hashes) - 31), sealed_at, entry_hashes from audit_seal where seq = ?")) {
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    SealStatement statement = new SealStatement(rs.getLong(1), rs.getLong(2), rs.getLong(2) + rs.getLong(3) - 1,
                            rs.getBytes(4), rs.getBytes(5), rs.getObject(6, java.time.OffsetDateTime.class).toInstant(), keyId);
                    // Tags are the forger's own only under its own key id; under the service's, it keeps the stored ones.
                    try (PreparedStatement up = c.prepareStatement(
                            "update audit_seal set key_id = ?, signature = ?, entry_tags = coalesce(?, entry_tags) where seq = ?")) {
                        up.setString(1, keyId);
                        up.setBytes(2, forger.sign(statement.bytes()));
                        up.setBytes(3, asStoredKey ? AuditSealer.tags(forger, rs.getBytes(7)) : null);
                        up.setLong(4, seq);
                        up.execute();
                    }
                }
            }
        });
    }

    /** Runs migration V7 in this schema, as Flyway runs it. */
    void migrateV7() {
        try (var in = getClass().getClassLoader().getResourceAsStream("db/migration/V7__audit_chain_order_repair.sql")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            exec(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute(script);
                }
            });
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs SQL statements on a connection whose search path is this schema. */
    void sql(String... statements) {
        exec(c -> {
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
        });
    }

    @Override
    public void close() {
        pool.close().await().atMost(Duration.ofSeconds(30));
        try {
            jdbc.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        exec("drop schema if exists " + schema + " cascade");
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(60));
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void exec(Work work) {
        try {
            work.run(jdbc);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void exec(String... statements) {
        try (Connection c = Db.connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
