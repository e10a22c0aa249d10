package com.agentsecretstore.audit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.support.Db;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Day partitions of the audit trail: created ahead, and an expired one exported (an archive that
 * verifies offline with the Python SDK's {@code verify-archive}) before it is dropped, never while an
 * entry in it is unsealed. Its own profile: archiving moves where verify starts, for this app only.
 */
@QuarkusTest
@TestProfile(AuditArchiveTest.Profile.class)
class AuditArchiveTest {

    static final Path EXPORT = Path.of("target", "audit-archive-test");
    private static final Caller ADMIN = new Caller("prn_archive_test", "archive-test", Role.ADMIN, List.of(), null, null);

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ass.audit.export-dir", EXPORT.toString());
        }
    }

    @Inject
    AuditPartitions partitions;
    @Inject
    AuditArchiver archiver;
    @Inject
    AuditService service;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper json;

    @Test
    void todaysAndTheNextDaysPartitionsAreCreatedAheadAndASecondRunChangesNothing() {
        partitions.createAhead().await().atMost(Duration.ofMinutes(1));
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        for (int i = 0; i <= 3; i++) {
            String name = AuditPartitions.name(today.plusDays(i));
            assertEquals(1, Db.count("select count(*) from pg_inherits where inhrelid = to_regclass(?)", name), name);
        }
        assertEquals(List.of(), partitions.createAhead().await().atMost(Duration.ofMinutes(1)));
        assertEquals(1, Db.count("select count(*) from pg_inherits where inhrelid = to_regclass('audit_entry_default')"));
    }

    @Test
    void anExpiredPartitionIsExportedThenDroppedAndItsArchiveVerifiesOffline() throws Exception {
        LocalDate day = LocalDate.of(2020, 1, 5);
        String partition = createPartition(day);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = "aud_archive_" + i;
            ids.add(id);
            sql("insert into audit_entry (id, recorded_at, action, outcome, actor_id, actor_name, namespace, path, details) values ('"
                    + id + "', '2020-01-05T10:00:00.123456Z'::timestamptz + interval '" + i + " minutes', 'secret.read', '"
                    + (i % 7 == 0 ? "denied" : "success") + "', 'prn_" + (i % 3) + "', 'Zoë " + i + "', 'ns" + (i % 2)
                    + "', 'db/password', '{\"n\":" + i + "}')");
        }
        awaitSealed(partition);

        assertTrue(archiver.archive(partition, AuditPartitions.start(day), AuditPartitions.start(day.plusDays(1))));

        assertEquals(0, Db.count("select count(*) from pg_class where relname = ?", partition));
        assertEquals(0, Db.count("select count(*) from audit_entry where id like 'aud\\_archive\\_%'"));
        Map<String, Object> row = Db.query("select file_name, first_seal, last_seal from audit_archive where partition_name = ?",
                partition).get(0);
        Path file = EXPORT.resolve((String) row.get("file_name"));
        assertTrue(Files.exists(file), file.toString());
        try (var listing = Files.list(EXPORT)) {
            assertTrue(listing.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
        }
        List<JsonNode> lines = read(file);
        assertEquals("archive", lines.get(0).get("type").asText());
        List<String> exported = lines.stream().filter(l -> "entry".equals(l.get("type").asText())).map(l -> l.get("id").asText())
                .toList();
        assertTrue(exported.containsAll(ids), "every entry of the dropped day is in the archive");

        VerifyResult verify = service.verify(ADMIN, null).await().atMost(Duration.ofMinutes(1));
        assertTrue(verify.valid(), String.valueOf(verify.firstBroken()));

        Path keys = EXPORT.resolve("public-key.json");
        Files.write(keys, json.writeValueAsBytes(service.publicKeys().await().atMost(Duration.ofMinutes(1))));
        saveSdkFixture(file, keys);
        if (python()) {
            assertEquals(0, verifyArchive(file, keys), "verify-archive accepts the archive");
            Path edited = EXPORT.resolve("edited.jsonl.gz");
            rewrite(file, edited, lines, ids.get(3));
            assertEquals(1, verifyArchive(edited, keys), "verify-archive rejects an edited entry");
        }
    }

    @Test
    void aPartitionWithAnUnsealedEntryIsNeverDropped() throws Exception {
        LocalDate day = LocalDate.of(2020, 1, 6);
        String partition = createPartition(day);
        try (Connection holder = Db.connect()) {
            // An open transaction with an xid holds the sealer's horizon: the entry written after it stays unsealed.
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("select pg_current_xact_id()");
            }
            sql("insert into audit_entry (id, recorded_at, action, outcome) values "
                    + "('aud_unsealed_1', '2020-01-06T08:00:00Z', 'secret.read', 'success')");

            assertFalse(archiver.archive(partition, AuditPartitions.start(day), AuditPartitions.start(day.plusDays(1))));
            assertEquals(1, Db.count("select count(*) from " + partition + " where id = 'aud_unsealed_1'"));
            holder.rollback();
        }
        awaitSealed(partition);
        assertTrue(archiver.archive(partition, AuditPartitions.start(day), AuditPartitions.start(day.plusDays(1))));
        assertEquals(0, Db.count("select count(*) from pg_class where relname = ?", partition));
    }

    @Test
    void anEntryOfTheNextDaySealedWithTheDroppedDayStaysVerifiedAndTheArchivedHeadStaysCheckpointable() throws Exception {
        LocalDate day = LocalDate.of(2020, 1, 8);
        String partition = createPartition(day);
        String next = createPartition(day.plusDays(1));
        // One statement, one xid: in sealing order (xid, id) the next day's entry comes first, inside the dropped day's seals.
        sql("insert into audit_entry (id, recorded_at, action, outcome, namespace) values "
                + "('aud_kept_a', '2020-01-09T00:00:00.5Z', 'secret.read', 'success', 'kept'), "
                + "('aud_kept_b', '2020-01-08T23:59:59.5Z', 'secret.read', 'success', 'kept')");
        awaitSealed(partition);

        assertTrue(archiver.archive(partition, AuditPartitions.start(day), AuditPartitions.start(day.plusDays(1))));

        assertEquals(1, Db.count("select count(*) from " + next + " where id = 'aud_kept_a'"));
        long lastSeal = Db.count("select last_seal from audit_archive where partition_name = ?", partition);
        assertEquals(1, Db.count("select count(*) from audit_seal where seq = ?", lastSeal),
                "the archive's last seal stays: it is the chain's signed head until a newer seal exists");
        assertTrue(service.verify(ADMIN, null).await().atMost(Duration.ofMinutes(1)).valid());

        assertVerifyNames("aud_kept_a", "update audit_entry set outcome = 'denied' where id = 'aud_kept_a'",
                "update audit_entry set outcome = 'success' where id = 'aud_kept_a'");
        assertVerifyNames("aud_kept_0", "insert into audit_entry (id, xid, recorded_at, action, outcome) values "
                + "('aud_kept_0', '1', '2020-01-09T01:00:00Z', 'secret.read', 'success')", "delete from audit_entry where id = 'aud_kept_0'");
        assertTrue(service.verify(ADMIN, null).await().atMost(Duration.ofMinutes(1)).valid());
    }

    @Test
    void anArchiveRecordNotSignedByTheServiceCannotMakeVerifySkipTheStartOfTheChain() throws SQLException {
        try (Connection sealers = Db.connect(); Statement hold = sealers.createStatement()) {
            // The sealer continues the chain from the newest archive record: while the forged one exists, no
            // seal may be written (it would be numbered after it, and every later archive would find a gap).
            hold.execute("select pg_advisory_lock(" + AuditSealer.LOCK_CLASS + ", hashtext(current_schema()))");
            // As a database admin would cover deleting the oldest entries: a record claiming they were archived.
            sql("insert into audit_archive (partition_name, range_from, range_to, first_seal, last_seal, first_chain_seq, "
                    + "last_chain_seq, prev_hash, head_hash, last_xid, last_id, entries, key_id, signature, archived_at) values "
                    + "('audit_entry_p19990101', '1999-01-01Z', '1999-01-02Z', 1, 1000000, 1, 1000000, decode(repeat('00', 32), 'hex'), "
                    + "decode(repeat('00', 32), 'hex'), '0', '', 1000000, "
                    + "(select key_id from audit_signing_key where retired_at is null), decode(repeat('00', 64), 'hex'), now())");
            try {
                VerifyResult verify = service.verify(ADMIN, null).await().atMost(Duration.ofMinutes(1));
                assertFalse(verify.valid());
                assertTrue(verify.firstBroken().reason().contains("audit_entry_p19990101 is not signed by a key of this service"),
                        verify.firstBroken().reason());
            } finally {
                sql("delete from audit_archive where partition_name = 'audit_entry_p19990101'");
            }
        }
    }

    /** After {@code tamper}, verify fails and names entry {@code id}; {@code restore} then undoes the tampering, whatever happened. */
    private void assertVerifyNames(String id, String tamper, String restore) {
        sql(tamper);
        try {
            VerifyResult verify = service.verify(ADMIN, null).await().atMost(Duration.ofMinutes(1));
            assertFalse(verify.valid());
            assertEquals(id, verify.firstBroken().id(), verify.firstBroken().reason());
        } finally {
            sql(restore);
        }
    }

    private static String createPartition(LocalDate day) {
        String name = AuditPartitions.name(day);
        sql("create table if not exists " + name + " partition of audit_entry for values from ('" + AuditPartitions.start(day)
                + "') to ('" + AuditPartitions.start(day.plusDays(1)) + "')");
        return name;
    }

    /** Until the scheduled sealer has sealed every entry of the partition. */
    private static void awaitSealed(String partition) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> Db.count(
                "select count(*) from " + partition + " e where not exists (select 1 from audit_seal s "
                        + "where (s.last_xid, s.last_id) >= (e.xid, e.id))") == 0);
    }

    private static void sql(String sql) {
        try (Connection c = Db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    /** A copy of the archive with one entry's details changed. */
    private void rewrite(Path from, Path to, List<JsonNode> lines, String id) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
            for (JsonNode line : lines) {
                if (id.equals(line.path("id").asText())) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) line).put("details", "{\"n\":999}");
                }
                out.write(json.writeValueAsBytes(line));
                out.write('\n');
            }
        }
    }

    /** With {@code -Dagentsecretstore.sdk-fixtures=DIR}, keeps the archive and keys for the Python SDK's tests. */
    private static void saveSdkFixture(Path file, Path keys) throws IOException {
        String dir = System.getProperty("agentsecretstore.sdk-fixtures");
        if (dir != null) {
            Files.copy(file, Path.of(dir, "audit-archive.jsonl.gz"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(keys, Path.of(dir, "archive-public-key.json"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean python() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static int verifyArchive(Path file, Path keys) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("python3", "-m", "agentsecretstore", "verify-archive", file.toString(), "--keys",
                keys.toString()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", Path.of("clients", "python", "src").toAbsolutePath().toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "verify-archive finished");
        System.out.println("verify-archive: " + output.strip());
        return p.exitValue();
    }

    static Instant at(String t) {
        return Instant.parse(t);
    }
}
