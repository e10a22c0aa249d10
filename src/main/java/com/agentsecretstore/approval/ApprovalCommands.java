package com.agentsecretstore.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.access.AccessException;
import com.agentsecretstore.access.AccessLoader;
import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.access.Action;
import com.agentsecretstore.access.Refusal;
import com.agentsecretstore.approval.ApprovalApi.ApprovalView;
import com.agentsecretstore.approval.ApprovalApi.CollectedToken;
import com.agentsecretstore.approval.ApprovalRules.Narrowing;
import com.agentsecretstore.approval.ApprovalRules.Outcome;
import com.agentsecretstore.approval.ApprovalTransitions.Rule;
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.token.TokenIssuer;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The decisions on an approval request: approve, deny, cancel, and collecting the issued token.
 * Each locks the request row, asks the access model who may act, asks {@link ApprovalRules} what
 * the state allows, and hands the transition to {@link ApprovalTransitions#apply}; then local
 * long-polls are woken. Refusals are audited too, so they commit before the error is thrown.
 */
@ApplicationScoped
public class ApprovalCommands {

    static final int MAX_NOTE = 1000;

    private final ApprovalStore store;
    private final ApprovalTransitions transitions;
    private final ApprovalQueries queries;
    private final AccessLoader access;
    private final TokenIssuer issuer;
    private final AuditLog audit;
    private final ApprovalSignals signals;
    private final Clock clock;

    public ApprovalCommands(ApprovalStore store, ApprovalTransitions transitions, ApprovalQueries queries,
            AccessLoader access, TokenIssuer issuer, AuditLog audit, ApprovalSignals signals, Clock clock) {
        this.store = store;
        this.transitions = transitions;
        this.queries = queries;
        this.access = access;
        this.issuer = issuer;
        this.audit = audit;
        this.signals = signals;
        this.clock = clock;
    }

    public Uni<ApprovalView> approve(Caller caller, String id, String comment) {
        return approve(caller, id, comment, Narrowing.NONE);
    }

    /** An approval that may narrow the budget in effect; {@link ApprovalRules#approve} says whether it narrows. */
    public Uni<ApprovalView> approve(Caller caller, String id, String comment, Narrowing narrowing) {
        String note = note(comment, "comment", false);
        if (narrowing.scope() != null) {
            String problem = Scope.problem(narrowing.scope());
            if (problem != null) {
                throw ApiException.invalid("scope", problem);
            }
        }
        return decide(caller, id, Action.APPROVE, AuditAction.APPROVAL_APPROVE, note,
                (s, now) -> ApprovalRules.approve(s, caller.id(), narrowing, now));
    }

    public Uni<ApprovalView> deny(Caller caller, String id, String reason) {
        return decide(caller, id, Action.DENY, AuditAction.APPROVAL_DENY, note(reason, "reason", true), ApprovalRules::deny);
    }

    public Uni<ApprovalView> cancel(Caller caller, String id, String reason) {
        return decide(caller, id, Action.CANCEL, AuditAction.APPROVAL_CANCEL, note(reason, "reason", false), ApprovalRules::cancel);
    }

    /**
     * Cancels the open (pending or delayed) requests a principal made in namespaces it was just
     * removed from, in the caller's transaction. Each is recorded, audited and announced like any
     * cancellation ({@code approval.cancel}, event {@code approval.cancelled}); one already past its
     * expiry is left to the expiry job, as {@link ApprovalRules#cancel} says.
     */
    public Uni<Integer> cancelForRemovedNamespaces(Caller actor, String requesterId, List<String> namespaces) {
        Instant now = clock.instant();
        return store.lockOpen(requesterId, namespaces)
                .flatMap(rows -> transitions.applyEach(rows, now, ApprovalRules::cancel, actor,
                        "The requester was removed from the namespace.", AuditAction.APPROVAL_CANCEL,
                        Map.of("reason", "namespace_removed")))
                .invoke(ids -> ids.forEach(signals::changed))
                .map(List::size);
    }

    /** The requester collects the token of its approved request (a fresh value each time). */
    public Uni<CollectedToken> collect(Caller caller, String id) {
        return Panache.withTransaction(() -> store.load(id, true)
                .flatMap(r -> access.require(Action.COLLECT, caller, ApprovalStore.target(r)).flatMap(d -> {
                    ApprovalRefusal refusal = ApprovalRules.collect(ApprovalStore.state(r, List.of()));
                    if (refusal != null) {
                        throw new ApprovalConflict(refusal, r.statusEnum());
                    }
                    return issuer.collect(caller, r.tokenId).map(issued -> new CollectedToken("approved", issued.value(),
                            issued.token().id, r.id, issued.token().scope, issued.token().tier, issued.token().expiresAt));
                })));
    }

    private record Decided(ApprovalRequest request, Outcome outcome, Refusal refusal) {
        boolean refused() {
            return refusal != null || outcome.refused();
        }
    }

    /**
     * Who may act is the access model's answer, checked first; then the rules say what the state
     * allows. Refusals of either kind are audited, and the audit commits before the error is sent.
     */
    private Uni<ApprovalView> decide(Caller caller, String id, Action what, AuditAction action, String note, Rule rule) {
        return Panache.withTransaction(() -> store.load(id, true).flatMap(r -> access.designation(r.namespace)
                .flatMap(designation -> store.decisions(List.of(r.id)).flatMap(ds -> {
                    Instant now = clock.instant();
                    Refusal refusal = AccessModel.check(what, AccessLoader.who(caller), ApprovalStore.target(r), designation)
                            .orElse(null);
                    if (refusal != null) {
                        return auditRefusal(action, caller, r, refusal.name()).replaceWith(new Decided(r, null, refusal));
                    }
                    Outcome o = rule.apply(ApprovalStore.state(r, ds), now);
                    if (o.refused()) {
                        return auditRefusal(action, caller, r, o.refusal().name()).replaceWith(new Decided(r, o, null));
                    }
                    return transitions.apply(r, o.transition(), caller, note, action, Map.of(), now)
                            .replaceWith(new Decided(r, o, null));
                }))))
                .invoke(d -> {
                    if (!d.refused()) {
                        signals.changed(id);
                    }
                })
                .flatMap(d -> {
                    if (d.refusal() != null) {
                        throw new AccessException(d.refusal());
                    }
                    if (d.outcome().refused()) {
                        throw new ApprovalConflict(d.outcome().refusal(), d.request().statusEnum());
                    }
                    return queries.view(caller, d.request());
                });
    }

    private Uni<Void> auditRefusal(AuditAction action, Caller caller, ApprovalRequest r, String reason) {
        return audit.append(new AuditEvent(action, AuditEvent.Outcome.DENIED, caller, r.namespace, null, r.id,
                Map.of("reason", reason.toLowerCase(Locale.ROOT), "status", r.status)));
    }

    private static String note(String text, String field, boolean required) {
        String t = text == null ? null : text.strip();
        if (required && (t == null || t.isEmpty())) {
            throw ApiException.invalid(field, "is required");
        }
        if (t != null && t.length() > MAX_NOTE) {
            throw ApiException.invalid(field, "must be at most " + MAX_NOTE + " characters");
        }
        return t == null || t.isEmpty() ? null : t;
    }
}
