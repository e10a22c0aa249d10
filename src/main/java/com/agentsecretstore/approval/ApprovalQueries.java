package com.agentsecretstore.approval;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.access.AccessLoader;
import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.access.Action;
import com.agentsecretstore.access.Designation;
import com.agentsecretstore.approval.ApprovalApi.Approval;
import com.agentsecretstore.approval.ApprovalApi.ApprovalView;
import com.agentsecretstore.approval.ApprovalApi.Ending;
import com.agentsecretstore.approval.ApprovalApi.Narrowed;
import com.agentsecretstore.approval.ApprovalApi.SlaView;
import com.agentsecretstore.approval.ApprovalRules.State;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.passkey.StepUpConfig;
import com.agentsecretstore.passkey.StepUpResult.Verdict;
import com.agentsecretstore.principal.Caller;

import io.smallrye.mutiny.Uni;

/**
 * Reading approval requests: get, list and the long-poll wait. Every view is of a request the
 * caller may see, and carries the actions the caller may take on it now.
 */
@ApplicationScoped
public class ApprovalQueries {

    private final ApprovalStore store;
    private final ApprovalTransitions transitions;
    private final AccessLoader access;
    private final ApprovalSignals signals;
    private final AssConfig config;
    private final Clock clock;

    private final StepUpConfig stepUp;

    public ApprovalQueries(ApprovalStore store, ApprovalTransitions transitions, AccessLoader access,
            ApprovalSignals signals, AssConfig config, Clock clock, StepUpConfig stepUp) {
        this.stepUp = stepUp;
        this.store = store;
        this.transitions = transitions;
        this.access = access;
        this.signals = signals;
        this.config = config;
        this.clock = clock;
    }

    public Uni<ApprovalView> get(Caller caller, String id) {
        return Transactions.read(() -> store.load(id, false)
                .flatMap(r -> access.require(Action.SEE, caller, ApprovalStore.target(r)).flatMap(d -> view(caller, r))));
    }

    public Uni<Page<ApprovalView>> list(Caller caller, String status, String namespace, String limit, String cursor) {
        int n = Page.limit(limit);
        String before = Page.decodeCursor(cursor);
        ApprovalStatus wanted = status == null ? null : ApprovalStatus.fromWire(status);
        if (status != null && wanted == null) {
            throw ApiException.invalid("status", "must be one of pending, delayed, approved, denied, cancelled, expired");
        }
        return Transactions.read(() -> store.page(caller.id(), wanted, namespace, before, n)
                .flatMap(rows -> views(caller, rows.size() > n ? rows.subList(0, n) : rows)
                        .map(views -> new Page<>(views, rows.size() > n ? Page.encodeCursor(rows.get(n - 1).id) : null))));
    }

    /**
     * Long-poll: answers as soon as the request is final, or with its current state at the timeout.
     * Between checks it holds no connection and no thread; it re-reads the request when a change is
     * signalled (from any replica) or, as a safety net, every {@code ass.approvals.wait-poll-interval}.
     * A caller holds at most {@code ass.approvals.max-waits-per-principal} at once (429 beyond), and
     * a long-poll whose key is revoked meanwhile ends with 401. While the replica shuts down it
     * answers at once with the current state.
     */
    public Uni<ApprovalView> waitFor(Caller caller, String id, String timeoutParam) {
        int max = config.approvals().maxWaitSeconds();
        int timeout;
        try {
            timeout = timeoutParam == null || timeoutParam.isEmpty() ? 30 : Integer.parseInt(timeoutParam);
        } catch (NumberFormatException e) {
            timeout = -1;
        }
        if (timeout < 0 || timeout > max) {
            throw ApiException.invalid("timeout_seconds", "must be a whole number between 0 and " + max,
                    Map.of("max_wait_seconds", max));
        }
        Instant deadline = clock.instant().plusSeconds(timeout);
        ApprovalSignals.Waiter waiter = signals.open(caller, id);
        return Uni.createFrom().deferred(() -> get(caller, id).flatMap(first -> poll(caller, id, first, deadline, waiter)))
                .onTermination().invoke(waiter::close);
    }

    private Uni<ApprovalView> poll(Caller caller, String id, ApprovalView current, Instant deadline,
            ApprovalSignals.Waiter waiter) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (ApprovalStatus.fromWire(current.status()).isFinal() || left.isNegative() || left.isZero()
                || signals.draining()) {
            return Uni.createFrom().item(current);
        }
        Duration safetyNet = config.approvals().waitPollInterval();
        Duration nap = left.compareTo(safetyNet) < 0 ? left : safetyNet;
        return waiter.next(nap)
                .chain(() -> get(caller, id))
                .flatMap(next -> poll(caller, id, next, deadline, waiter));
    }

    /** The view of a request the caller has been found to see, in a session of its own if none is open. */
    public Uni<ApprovalView> view(Caller caller, ApprovalRequest r) {
        return Transactions.read(() -> views(caller, List.of(r)).map(v -> v.get(0)));
    }

    /** Views of requests the caller may see, each with the actions the caller may take on it now. */
    private Uni<List<ApprovalView>> views(Caller caller, List<ApprovalRequest> rows) {
        Instant now = clock.instant();
        return access.designations(rows.stream().map(r -> r.namespace).toList()).flatMap(designations -> store.decisions(
                rows.stream().map(r -> r.id).toList()).map(ds -> rows.stream().map(r -> {
            List<ApprovalDecision> mine = ds.stream().filter(d -> d.requestId.equals(r.id)).toList();
            List<Approval> approvals = mine.stream().filter(d -> d.kind == DecisionKind.APPROVE)
                    .map(d -> new Approval(d.principalId, d.principalName, d.note, d.decidedAt, narrowed(d))).toList();
            return new ApprovalView(r.id, r.status.wire(), r.status == ApprovalStatus.APPROVED, r.requesterName,
                    r.requesterId, r.trustTier == null ? null : r.trustTier.wire(),
                    r.trustSource == null ? null : r.trustSource.wire(), r.namespace, r.scope, List.of(r.secretPaths),
                    r.tier.wire(), r.requiredApprovals,
                    approvals.size(), r.delaySeconds, r.description, r.tokenTtlSeconds, r.explanation, r.createdAt,
                    r.expiresAt, r.issueAt, r.decidedAt, r.tokenId, approvals, ending(mine, DecisionKind.DENY),
                    ending(mine, DecisionKind.CANCEL), transitions.approveUrl(r.id),
                    allowedActions(caller, r, ApprovalStore.state(r, mine), designations.get(r.namespace), now),
                    r.maxUses, r.runId, r.requestedScope, r.requestedTtlSeconds, r.requestedMaxUses, sla(r),
                    ApprovalRules.stepUpRequired(ApprovalStore.state(r, mine), stepUp.critical()));
        }).toList()));
    }

    private static SlaView sla(ApprovalRequest r) {
        if (r.remindAt == null && r.escalateAt == null) {
            return null;
        }
        return new SlaView(r.remindAt, r.remindedAt, r.escalateAt, r.escalatedAt,
                r.escalateAt == null ? null : List.of(r.escalationApprovers));
    }

    /** What the access model lets the caller do that the request's state also allows, for the UI to offer. */
    private List<String> allowedActions(Caller caller, ApprovalRequest r, State s, Designation designation, Instant now) {
        List<String> allowed = new ArrayList<>();
        for (Action a : List.of(Action.APPROVE, Action.DENY, Action.CANCEL, Action.COLLECT)) {
            if (!AccessModel.allows(a, AccessLoader.who(caller), ApprovalStore.target(r), designation)) {
                continue;
            }
            boolean possible = switch (a) {
                // Offered when a step-up would let it through: the client then asks for one.
                case APPROVE -> !ApprovalRules.approve(s, caller.id(), stepUp.critical(), Verdict.VERIFIED, now).refused();
                case DENY -> !ApprovalRules.deny(s, now).refused();
                case CANCEL -> !ApprovalRules.cancel(s, now).refused();
                case COLLECT -> ApprovalRules.collect(s) == null;
                default -> false;
            };
            if (possible) {
                allowed.add(a.wire());
            }
        }
        return allowed;
    }

    private static Narrowed narrowed(ApprovalDecision d) {
        return d.narrowedScope == null && d.narrowedTtlSeconds == null && d.narrowedMaxUses == null ? null
                : new Narrowed(d.narrowedScope, d.narrowedTtlSeconds, d.narrowedMaxUses);
    }

    private static Ending ending(List<ApprovalDecision> ds, DecisionKind kind) {
        return ds.stream().filter(d -> d.kind == kind).findFirst()
                .map(d -> new Ending(d.principalId, d.principalName, d.note, d.decidedAt)).orElse(null);
    }
}
