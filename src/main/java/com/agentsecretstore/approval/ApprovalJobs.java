package com.agentsecretstore.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.approval.ApprovalStore.Due;
import com.agentsecretstore.approval.ApprovalTransitions.Rule;
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.principal.Caller;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Runs on every replica: issues tokens whose cancel window has closed, expires stale requests, and
 * climbs the SLA ladder of pending ones (reminders, then escalations).
 * Candidate rows are claimed with SKIP LOCKED, so replicas share the work and each token is issued
 * once; each row is then judged by {@link ApprovalRules} and changed by {@link ApprovalTransitions}.
 * Overdue work left by a stopped replica is picked up on the next tick.
 */
@ApplicationScoped
public class ApprovalJobs {

    private final ApprovalStore store;
    private final ApprovalTransitions transitions;
    private final ApprovalSignals signals;
    private final Clock clock;

    public ApprovalJobs(ApprovalStore store, ApprovalTransitions transitions, ApprovalSignals signals, Clock clock) {
        this.store = store;
        this.transitions = transitions;
        this.signals = signals;
        this.clock = clock;
    }

    @Scheduled(every = "${ass.approvals.job-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return issueDue()
                .chain(issued -> expireStale().invoke(expired -> {
                    if (issued > 0 || expired > 0) {
                        Log.debugf("Approval job: issued %d delayed token(s), expired %d request(s)", issued, expired);
                    }
                }))
                // Expiry first: a request past its deadline is over, not reminded.
                .chain(() -> remindDue()).chain(() -> escalateDue())
                .onFailure().invoke(e -> Log.warn("Approval job failed; it runs again on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Issues the token of every delayed request whose cancel window has closed. Returns how many. */
    public Uni<Integer> issueDue() {
        return run(Due.ISSUE, ApprovalRules::issueDue, AuditAction.APPROVAL_DELAY_ELAPSED);
    }

    /** Expires pending requests past their expiry. Returns how many. */
    public Uni<Integer> expireStale() {
        return run(Due.EXPIRE, ApprovalRules::expire, AuditAction.APPROVAL_EXPIRE);
    }

    /** Reminds the approvers of every pending request whose reminder is due, once. Returns how many. */
    public Uni<Integer> remindDue() {
        return run(Due.REMIND, ApprovalRules::remind, AuditAction.APPROVAL_REMIND);
    }

    /** Escalates every pending request whose escalation is due, once. Returns how many. */
    public Uni<Integer> escalateDue() {
        return run(Due.ESCALATE, ApprovalRules::escalate, AuditAction.APPROVAL_ESCALATE);
    }

    /** One batch per transaction; repeats while batches come back full. */
    private Uni<Integer> run(Due due, Rule rule, AuditAction auditAction) {
        Instant now = clock.instant();
        Caller system = Caller.system("approval-job");
        return Transactions.run(() -> store.claim(due, now)
                .flatMap(rows -> transitions.applyEach(rows, now, rule, system, null, auditAction, Map.of())
                        .map(changed -> new Batch(rows.size(), changed))))
                .invoke(b -> b.changed().forEach(signals::changed))
                .flatMap(b -> b.claimed() == ApprovalStore.JOB_BATCH
                        ? run(due, rule, auditAction).map(more -> b.changed().size() + more)
                        : Uni.createFrom().item(b.changed().size()));
    }

    private record Batch(int claimed, List<String> changed) {
    }
}
