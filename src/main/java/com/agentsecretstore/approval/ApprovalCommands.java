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
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.passkey.PasskeyApi.Assertion;
import com.agentsecretstore.passkey.PasskeyApi.StepUpOptions;
import com.agentsecretstore.passkey.PasskeyService;
import com.agentsecretstore.passkey.StepUpConfig;
import com.agentsecretstore.passkey.StepUpResult;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.token.TokenIssuer;

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
    private final PasskeyService passkeys;
    private final StepUpConfig stepUp;

    public ApprovalCommands(ApprovalStore store, ApprovalTransitions transitions, ApprovalQueries queries,
            AccessLoader access, TokenIssuer issuer, AuditLog audit, ApprovalSignals signals, Clock clock,
            PasskeyService passkeys, StepUpConfig stepUp) {
        this.passkeys = passkeys;
        this.stepUp = stepUp;
        this.store = store;
        this.transitions = transitions;
        this.queries = queries;
        this.access = access;
        this.issuer = issuer;
        this.audit = audit;
        this.signals = signals;
        this.clock = clock;
    }

    /**
     * An approval that may narrow the budget in effect ({@link ApprovalRules#approve} says whether it
     * narrows); {@code assertion} is the passkey step-up, checked (and its challenge spent) only when
     * the rules say this request needs one.
     */
    public Uni<ApprovalView> approve(Caller caller, String id, String comment, Narrowing narrowing, Assertion assertion) {
        String note = note(comment, "comment", false);
        if (narrowing.scope() != null) {
            String problem = Scope.problem(narrowing.scope());
            if (problem != null) {
                throw ApiException.invalid("scope", problem);
            }
        }
        return decide(caller, id, Action.APPROVE, AuditAction.APPROVAL_APPROVE, note,
                (r, s) -> ApprovalRules.stepUpRequired(s, stepUp.critical()) ? passkeys.check(caller, r.id, assertion)
                        : Uni.createFrom().item(StepUpResult.ABSENT),
                (s, proof, now) -> ApprovalRules.approve(s, caller.id(), narrowing, stepUp.critical(), proof.verdict(), now));
    }

    public Uni<ApprovalView> deny(Caller caller, String id, String reason) {
        return decide(caller, id, Action.DENY, AuditAction.APPROVAL_DENY, note(reason, "reason", true), NO_PROOF,
                (s, proof, now) -> ApprovalRules.deny(s, now));
    }

    public Uni<ApprovalView> cancel(Caller caller, String id, String reason) {
        return decide(caller, id, Action.CANCEL, AuditAction.APPROVAL_CANCEL, note(reason, "reason", false), NO_PROOF,
                (s, proof, now) -> ApprovalRules.cancel(s, now));
    }

    /**
     * A step-up challenge for approving request {@code id}: only for someone the access model lets
     * approve it, while the rules would let them approve it with a passkey, and only when it needs one.
     */
    public Uni<StepUpOptions> stepUp(Caller caller, String id) {
        return Transactions.run(() -> store.load(id, false)
                .flatMap(r -> access.require(Action.APPROVE, caller, ApprovalStore.target(r))
                        .flatMap(d -> store.decisions(List.of(r.id)))
                        .flatMap(ds -> {
                            ApprovalRules.State s = ApprovalStore.state(r, ds);
                            Outcome o = ApprovalRules.approve(s, caller.id(), stepUp.critical(), StepUpResult.Verdict.VERIFIED,
                                    clock.instant());
                            if (o.refused()) {
                                throw new ApprovalConflict(o.refusal(), r.status);
                            }
                            if (!ApprovalRules.stepUpRequired(s, stepUp.critical())) {
                                throw ApiException.conflict("Approving this request needs no step-up.");
                            }
                            return passkeys.stepUpOptions(caller, r.id);
                        })));
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
        return Transactions.run(() -> store.load(id, true)
                .flatMap(r -> access.require(Action.COLLECT, caller, ApprovalStore.target(r)).flatMap(d -> {
                    ApprovalRefusal refusal = ApprovalRules.collect(ApprovalStore.state(r, List.of()));
                    if (refusal != null) {
                        throw new ApprovalConflict(refusal, r.status);
                    }
                    return issuer.collect(caller, r.tokenId).map(issued -> new CollectedToken("approved", issued.value(),
                            issued.token().id, r.id, issued.token().scope, issued.token().tier.wire(), issued.token().expiresAt,
                            issued.token().maxUses));
                })));
    }

    /** The proof a decision presents, found for the locked request after the access model let the caller act. */
    private interface Proof {
        Uni<StepUpResult> find(ApprovalRequest r, ApprovalRules.State s);
    }

    /** A rule of {@link ApprovalRules} given the proof found. */
    private interface DecisionRule {
        Outcome apply(ApprovalRules.State s, StepUpResult proof, Instant now);
    }

    private static final Proof NO_PROOF = (r, s) -> Uni.createFrom().item(StepUpResult.ABSENT);

    private record Decided(ApprovalRequest request, Outcome outcome, Refusal refusal, StepUpResult proof) {
        boolean refused() {
            return refusal != null || outcome.refused();
        }
    }

    /**
     * Who may act is the access model's answer, checked first; then the rules say what the state
     * allows. Refusals of either kind are audited, and the audit commits before the error is sent.
     */
    private Uni<ApprovalView> decide(Caller caller, String id, Action what, AuditAction action, String note, Proof proof,
            DecisionRule rule) {
        return Transactions.run(() -> store.load(id, true).flatMap(r -> access.designation(r.namespace)
                .flatMap(designation -> store.decisions(List.of(r.id)).flatMap(ds -> {
                    Refusal refusal = AccessModel.check(what, AccessLoader.who(caller), ApprovalStore.target(r), designation)
                            .orElse(null);
                    if (refusal != null) {
                        return auditRefusal(action, caller, r, refusal.name(), Map.of())
                                .replaceWith(new Decided(r, null, refusal, null));
                    }
                    ApprovalRules.State state = ApprovalStore.state(r, ds);
                    return proof.find(r, state).flatMap(p -> {
                        Instant now = clock.instant();
                        Outcome o = rule.apply(state, p, now);
                        Map<String, Object> stepUpDetails = p.verdict() == StepUpResult.Verdict.ABSENT ? Map.of()
                                : p.verified() ? Map.of("step_up", p.verdict().wire(), "passkey_id", p.passkeyId())
                                        : Map.of("step_up", p.verdict().wire());
                        if (o.refused()) {
                            // A spent challenge commits with the refusal: a replay finds nothing to answer.
                            return auditRefusal(action, caller, r, o.refusal().name(), stepUpDetails)
                                    .replaceWith(new Decided(r, o, null, p));
                        }
                        return transitions.apply(r, o.transition(), caller, note, action, stepUpDetails, now)
                                .replaceWith(new Decided(r, o, null, p));
                    });
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
                        throw new ApprovalConflict(d.outcome().refusal(), d.request().status,
                                d.outcome().refusal() == ApprovalRefusal.STEP_UP_INVALID
                                        ? Map.of("reason", d.proof().verdict().wire()) : Map.of());
                    }
                    return queries.view(caller, d.request());
                });
    }

    private Uni<Void> auditRefusal(AuditAction action, Caller caller, ApprovalRequest r, String reason,
            Map<String, Object> more) {
        Map<String, Object> details = new java.util.LinkedHashMap<>(more);
        details.put("reason", reason.toLowerCase(Locale.ROOT));
        details.put("status", r.status.wire());
        return audit.append(new AuditEvent(action, AuditEvent.Outcome.DENIED, caller, r.namespace, null, r.id, details));
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
