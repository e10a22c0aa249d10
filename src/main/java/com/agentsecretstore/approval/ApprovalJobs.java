package com.agentsecretstore.approval;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Runs on every replica: issues tokens whose cancel window has closed and expires stale requests.
 * Rows are claimed with SKIP LOCKED, so replicas share the work and each token is issued once;
 * overdue work left by a stopped replica is picked up on the next tick.
 */
@ApplicationScoped
public class ApprovalJobs {

    private final ApprovalService approvals;

    public ApprovalJobs(ApprovalService approvals) {
        this.approvals = approvals;
    }

    @Scheduled(every = "${ass.approvals.job-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return approvals.issueDue()
                .chain(issued -> approvals.expireStale().invoke(expired -> {
                    if (issued > 0 || expired > 0) {
                        Log.debugf("Approval job: issued %d delayed token(s), expired %d request(s)", issued, expired);
                    }
                }))
                .onFailure().invoke(e -> Log.warn("Approval job failed; it runs again on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
