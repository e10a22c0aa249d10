package com.agentsecretstore.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.ops.OpsQueries.Ending;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;

/**
 * The Prometheus metrics an operator alerts on (see the PrometheusRule in {@code k8s/overlays/prod}).
 *
 * <p>Everything is read from the tables, never from the approval, notify or audit code, so this
 * class depends on the schema alone. Every {@code ass.ops.metrics-interval} each replica runs one
 * backlog query and keeps the result for the gauges (a scrape never touches the database), then
 * reads the approval decisions and issuances committed since its last run from the {@code event}
 * table (by sequence, which is commit order) and records them into two timers.
 *
 * <p>All replicas read the same database, so every replica reports the same gauges and observes
 * every decision: aggregate across pods with {@code max}, not {@code sum}.
 */
@ApplicationScoped
public class OpsMetrics {

    /** A run reads at most this many batches of endings; a backlog beyond it is read by the next runs. */
    static final int MAX_ENDING_BATCHES = 10;

    private static final Duration[] DECISION_BUCKETS = { Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
        Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(4), Duration.ofHours(24) };
    private static final Duration[] LATENESS_BUCKETS = { Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(15), Duration.ofMinutes(1), Duration.ofMinutes(5) };

    private final OpsQueries queries;
    private final Clock clock;
    /** Null until the first reading: the gauges say NaN rather than a made-up zero. */
    private final AtomicReference<Backlog> backlog = new AtomicReference<>();
    /** The last event whose ending was recorded; -1 until the first run starts at the newest event. */
    private final AtomicLong lastSeq = new AtomicLong(-1);
    private final Map<Outcome, Timer> decisions = new EnumMap<>(Outcome.class);
    private final Timer lateness;
    private final Counter failures;

    public OpsMetrics(OpsQueries queries, Clock clock, MeterRegistry registry, OpsConfig config) {
        this.queries = queries;
        this.clock = clock;
        Log.debugf("Operational metrics are read from the database every %s", config.metricsInterval());
        gauge(registry, "ass.approvals.open", "Approval requests waiting: for approvers (pending) or for their cancel window (delayed)",
                null, Backlog::pendingRequests, "status", "pending");
        gauge(registry, "ass.approvals.open", "Approval requests waiting: for approvers (pending) or for their cancel window (delayed)",
                null, Backlog::delayedRequests, "status", "delayed");
        gauge(registry, "ass.approvals.oldest.pending.age", "Age of the oldest request still waiting for approvers",
                "seconds", Backlog::oldestPendingAge);
        gauge(registry, "ass.approvals.issuance.overdue", "How far past its issue_at the most overdue delayed request is (0: none due)",
                "seconds", Backlog::issuanceLateness);
        gauge(registry, "ass.outbox.backlog", "Deliveries not yet delivered nor given up", null, Backlog::webhookBacklog,
                "outbox", "webhook");
        gauge(registry, "ass.outbox.backlog", "Deliveries not yet delivered nor given up", null, Backlog::mailBacklog,
                "outbox", "mail");
        gauge(registry, "ass.outbox.oldest.undelivered.age", "Age of the oldest delivery not yet delivered nor given up",
                "seconds", Backlog::webhookOldestAge, "outbox", "webhook");
        gauge(registry, "ass.outbox.oldest.undelivered.age", "Age of the oldest delivery not yet delivered nor given up",
                "seconds", Backlog::mailOldestAge, "outbox", "mail");
        gauge(registry, "ass.audit.unsealed.entries", "Audit entries not yet linked into the hash chain (counted up to 100000)",
                null, Backlog::unsealedAuditEntries);
        gauge(registry, "ass.audit.sealing.lag", "Age of the oldest audit entry not yet linked into the hash chain",
                "seconds", Backlog::auditSealingLag);
        for (Outcome outcome : Outcome.values()) {
            decisions.put(outcome, Timer.builder("ass.approval.decision")
                    .description("From an approval request to its end: approved, denied, cancelled or expired")
                    .tag("outcome", outcome.tag()).serviceLevelObjectives(DECISION_BUCKETS).register(registry));
        }
        lateness = Timer.builder("ass.approval.issuance.lateness")
                .description("How long after its issue_at a delayed request's token was issued")
                .serviceLevelObjectives(LATENESS_BUCKETS).register(registry);
        failures = Counter.builder("ass.ops.refresh.failures").description("Metric readings that failed (the gauges keep their last value)")
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String help, String unit, ToDoubleFunction<Backlog> value,
            String... tags) {
        Gauge.builder(name, backlog, ref -> {
            Backlog b = ref.get();
            return b == null ? Double.NaN : value.applyAsDouble(b);
        }).description(help).baseUnit(unit).tags(tags).register(registry);
    }

    @Scheduled(identity = "ops-metrics", every = "${ass.ops.metrics-interval:10s}", concurrentExecution = ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return recordEndings(0)
                .chain(() -> queries.backlog(clock.instant()))
                .invoke(backlog::set)
                .onFailure().invoke(e -> {
                    failures.increment();
                    Log.warnf(e, "Reading the operational metrics failed; the next run retries");
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> recordEndings(int batchesDone) {
        long after = lastSeq.get();
        if (after < 0) {
            // Start from now: endings before this replica started were observed by the replicas then running.
            return queries.lastEvent().invoke(lastSeq::set).replaceWithVoid();
        }
        return queries.endingsAfter(after).chain(endings -> {
            endings.forEach(this::record);
            if (!endings.isEmpty()) {
                lastSeq.set(endings.get(endings.size() - 1).seq());
            }
            return endings.size() == OpsQueries.ENDINGS_BATCH && batchesDone + 1 < MAX_ENDING_BATCHES
                    ? recordEndings(batchesDone + 1)
                    : Uni.createFrom().voidItem();
        });
    }

    private void record(Ending e) {
        if (Outcome.TOKEN_ISSUED.equals(e.type())) {
            if (e.issueAt() != null) {
                lateness.record(nonNegative(e.issueAt(), e.at()));
            }
            return;
        }
        Outcome.ofEvent(e.type()).ifPresent(o -> decisions.get(o).record(nonNegative(e.requestedAt(), e.at())));
    }

    private static Duration nonNegative(Instant from, Instant to) {
        Duration d = Duration.between(from, to);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
