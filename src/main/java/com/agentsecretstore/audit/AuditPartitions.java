package com.agentsecretstore.audit;

import com.agentsecretstore.common.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The day partitions of {@code audit_entry} (see V20): creates the coming days' partitions ahead and
 * hands partitions past {@code ass.audit.retention} to {@link AuditArchiver}, oldest first.
 *
 * <p>Every replica runs the job; a transaction-level advisory lock per schema lets one create at a
 * time, and {@code create table ... partition of} is issued only for a partition that is missing, so
 * a second run changes nothing. DDL on a partition takes a lock on {@code audit_entry} itself, which
 * every audited request needs for its insert: a short {@code lock_timeout} makes the job give up (and
 * retry next run) rather than make requests queue behind it.
 */
@ApplicationScoped
public class AuditPartitions {

    /** Advisory lock class of partition maintenance; the object id is the schema. */
    static final int LOCK_CLASS = 7364004;
    static final String PREFIX = "audit_entry_p";
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    private static final String LOCK = "select pg_advisory_xact_lock(" + LOCK_CLASS + ", hashtext(current_schema()))";
    /** How long DDL may wait for the lock on audit_entry before the run gives up. */
    static final String DDL_LOCK_TIMEOUT = "set local lock_timeout = '2s'";
    private static final String EXISTS = "select to_regclass($1) is not null";
    private static final String IN_DEFAULT = "select exists (select 1 from audit_entry_default "
            + "where recorded_at >= $1 and recorded_at < $2)";
    private static final String PARTITIONS = "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            + "where i.inhparent = 'audit_entry'::regclass and c.relname like 'audit\\_entry\\_p%' order by c.relname";

    private final AuditConfig config;
    private final Pool pool;
    private final Clock clock;
    private final AuditArchiver archiver;

    public AuditPartitions(AuditConfig config, Pool pool, Clock clock, AuditArchiver archiver) {
        this.config = config;
        this.pool = pool;
        this.clock = clock;
        this.archiver = archiver;
    }

    /**
     * Runs on a worker thread: the archiver writes and syncs files. It waits on the database only
     * through its own connection, never on an event loop.
     */
    @Scheduled(identity = "audit-partitions", every = "${ass.audit.maintenance-interval:10m}", delayed = "5s",
            concurrentExecution = ConcurrentExecution.SKIP)
    void maintain() {
        try {
            createAhead().await().atMost(Duration.ofMinutes(2));
            archiveExpired();
        } catch (RuntimeException e) {
            Log.errorf(e, "Audit partition maintenance failed; the next run retries");
        }
    }

    /** Creates today's partition and {@code ass.audit.partitions-ahead} more; returns the names it created. */
    public Uni<List<String>> createAhead() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<LocalDate> days = new ArrayList<>();
        for (int i = 0; i <= config.partitionsAhead(); i++) {
            days.add(today.plusDays(i));
        }
        return Transactions.sql(pool, conn -> conn.query(LOCK).execute()
                .chain(() -> conn.query(DDL_LOCK_TIMEOUT).execute())
                .chain(() -> Multi.createFrom().iterable(days)
                        .onItem().transformToUniAndConcatenate(day -> createIfMissing(conn, day))
                        .collect().asList())
                .map(created -> created.stream().flatMap(Optional::stream).toList()));
    }

    private Uni<Optional<String>> createIfMissing(SqlConnection conn, LocalDate day) {
        String name = name(day);
        return conn.preparedQuery(EXISTS).execute(Tuple.of(name)).flatMap(rows -> {
            if (rows.iterator().next().getBoolean(0)) {
                return Uni.createFrom().item(Optional.<String>empty());
            }
            return conn.preparedQuery(IN_DEFAULT).execute(Tuple.of(utc(start(day)), utc(start(day.plusDays(1)))))
                    .flatMap(inDefault -> {
                        if (inDefault.iterator().next().getBoolean(0)) {
                            // Creating it would fail, and fail the days after it too: those rows stay in the default partition.
                            Log.warnf("Audit partition %s is not created: the default partition already holds rows of that day", name);
                            return Uni.createFrom().item(Optional.<String>empty());
                        }
                        return create(conn, day, name);
                    });
        });
    }

    private Uni<Optional<String>> create(SqlConnection conn, LocalDate day, String name) {
        // The name and bounds come from a date, never from input.
        String ddl = "create table if not exists " + name + " partition of audit_entry for values from ('"
                + start(day) + "') to ('" + start(day.plusDays(1)) + "')";
        return conn.query(ddl).execute().map(ignored -> {
            Log.infof("Created audit partition %s", name);
            return Optional.of(name);
        });
    }

    private static java.time.OffsetDateTime utc(Instant t) {
        return java.time.OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    /** Archives and drops, oldest first, every day partition whose day lies wholly before the retention cutoff. */
    public List<String> archiveExpired() {
        Optional<Duration> retention = config.retention();
        if (retention.isEmpty()) {
            return List.of();
        }
        Instant cutoff = clock.instant().minus(retention.get());
        List<String> dropped = new ArrayList<>();
        for (String name : partitions()) {
            LocalDate day = day(name);
            if (day == null || start(day.plusDays(1)).isAfter(cutoff)) {
                continue;
            }
            if (!archiver.archive(name, start(day), start(day.plusDays(1)))) {
                break;  // never skip a partition: archives must follow the chain in order
            }
            dropped.add(name);
        }
        return dropped;
    }

    /** Day partitions, oldest first. */
    List<String> partitions() {
        List<String> names = new ArrayList<>();
        for (Row row : pool.query(PARTITIONS).execute().await().atMost(Duration.ofMinutes(1))) {
            names.add(row.getString(0));
        }
        return names;
    }

    static String name(LocalDate day) {
        return PREFIX + DAY.format(day);
    }

    /** The day of a partition's name, or null for a table that only looks like one. */
    static LocalDate day(String name) {
        if (!name.startsWith(PREFIX) || name.length() != PREFIX.length() + 8) {
            return null;
        }
        try {
            return LocalDate.parse(name.substring(PREFIX.length()), DAY);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    static Instant start(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
