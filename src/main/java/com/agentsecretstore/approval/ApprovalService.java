package com.agentsecretstore.approval;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import com.agentsecretstore.access.AccessException;
import com.agentsecretstore.access.AccessLoader;
import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.access.AccessModel.Target;
import com.agentsecretstore.access.Action;
import com.agentsecretstore.access.Designation;
import com.agentsecretstore.access.Refusal;
import com.agentsecretstore.approval.ApprovalApi.Approval;
import com.agentsecretstore.approval.ApprovalApi.ApprovalView;
import com.agentsecretstore.approval.ApprovalApi.CollectedToken;
import com.agentsecretstore.approval.ApprovalApi.Ending;
import com.agentsecretstore.approval.ApprovalRules.Outcome;
import com.agentsecretstore.approval.ApprovalRules.State;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.notify.EventLog;
import com.agentsecretstore.notify.EventType;
import com.agentsecretstore.notify.Notice;
import com.agentsecretstore.policy.AccessDecider;
import com.agentsecretstore.policy.AccessDecider.Evaluation;
import com.agentsecretstore.policy.Requirement;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.token.TokenApi.TokenRequest;
import com.agentsecretstore.token.TokenApi.TokenResponse;
import com.agentsecretstore.token.TokenIssuer;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Token requests and their approval workflow. State lives only in PostgreSQL: each change locks
 * the request row, applies {@link ApprovalRules}, audits, and commits; then local long-polls are
 * woken. Refusals are audited too, so they commit before the error is thrown.
 */
@ApplicationScoped
public class ApprovalService {

    static final int MAX_DESCRIPTION = 1000;
    static final int MAX_NOTE = 1000;
    static final int JOB_BATCH = 100;

    private final AccessDecider decider;
    private final TokenIssuer issuer;
    private final AuditLog audit;
    private final Clock clock;
    private final AssConfig config;
    private final ApprovalSignals signals;
    private final EventLog events;
    private final AccessLoader access;
    private final ReceiptWriter receipts;

    public ApprovalService(AccessDecider decider, TokenIssuer issuer, AuditLog audit, Clock clock, AssConfig config,
            ApprovalSignals signals, EventLog events, AccessLoader access, ReceiptWriter receipts) {
        this.decider = decider;
        this.receipts = receipts;
        this.access = access;
        this.issuer = issuer;
        this.audit = audit;
        this.clock = clock;
        this.config = config;
        this.signals = signals;
        this.events = events;
    }

    // --- Requesting ---------------------------------------------------------------------------

    public Uni<TokenResponse> requestToken(Caller caller, TokenRequest body) {
        List<FieldError> errors = new ArrayList<>();
        String scopeProblem = Scope.problem(body.scope());
        if (scopeProblem != null) {
            errors.add(new FieldError("scope", scopeProblem));
        }
        int ttl = body.ttlSeconds() == null ? config.tokens().defaultTtlSeconds() : body.ttlSeconds();
        if (ttl < 1 || ttl > config.tokens().maxTtlSeconds()) {
            errors.add(new FieldError("ttl_seconds", "must be between 1 and " + config.tokens().maxTtlSeconds()));
        }
        String description = body.description() == null ? "" : body.description().strip();
        if (description.length() > MAX_DESCRIPTION) {
            errors.add(new FieldError("description", "must be at most " + MAX_DESCRIPTION + " characters"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        Scope scope = Scope.parse(body.scope());
        if (!caller.isAdmin() && !caller.namespaces().contains(scope.namespace())) {
            throw ApiException.forbidden("This principal may not request tokens in namespace " + scope.namespace() + ".");
        }
        // Most requests need no approval and are served on plain SQL; a Hibernate transaction
        // is opened only for an approval request (its workflow lives in entities).
        return decider.evaluate(scope, caller.id()).flatMap(e -> {
            Requirement req = e.requirement();
            if (!req.autoApproved()) {
                return openRequest(caller, scope, ttl, description, e);
            }
            return issuer.issueNow(caller, scope, req.tier(), ttl, why(req, description))
                    .map(issued -> TokenResponse.approved(issued.value(), issued.token()));
        });
    }

    private static Map<String, Object> why(Requirement req, String description) {
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("explanation", req.reason());
        why.put("description", description);
        return why;
    }

    private Uni<TokenResponse> openRequest(Caller caller, Scope scope, int ttl, String description, Evaluation e) {
        Requirement req = e.requirement();
        return Panache.withTransaction(() -> {
            Instant now = clock.instant();
            ApprovalRequest r = new ApprovalRequest();
            r.id = Ids.next("apr");
            r.requesterId = caller.id();
            r.requesterName = caller.name();
            r.namespace = scope.namespace();
            r.scope = scope.value();
            r.scopeGlob = scope.glob().pattern();
            r.description = description;
            r.tokenTtlSeconds = ttl;
            r.tier = req.tier().wire();
            r.requiredApprovals = req.requiredApprovals();
            r.delaySeconds = req.approvalDelaySeconds();
            r.trustTier = e.trustApplied() ? e.trust().wire() : null;
            r.secretPaths = e.secretPaths().toArray(String[]::new);
            r.explanation = req.reason();
            r.policyRevision = e.policyRevision();
            r.policySha256 = e.policySha256();
            r.status = ApprovalStatus.PENDING.wire();
            r.createdAt = now;
            r.expiresAt = now.plusSeconds(e.policy().effectiveRequestTtlSeconds());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("approval_request_id", r.id);
            details.put("scope", r.scope);
            details.put("tier", r.tier);
            details.put("required_approvals", r.requiredApprovals);
            details.put("delay_seconds", r.delaySeconds);
            details.put("explanation", r.explanation);
            return r.persist()
                    .call(() -> audit.append(AuditEvent.success("approval.request", caller)
                            .onPath(r.namespace, null).onTarget(r.id).with(details)))
                    .call(() -> publish(EventType.REQUESTED, r, 0, null, null))
                    .map(ignored -> TokenResponse.pending(r.id, r.scope, r.tier, r.requiredApprovals, r.expiresAt));
        });
    }

    // --- Reading ------------------------------------------------------------------------------

    public Uni<ApprovalView> get(Caller caller, String id) {
        return Panache.withSession(() -> load(id, false)
                .flatMap(r -> access.require(Action.SEE, caller, target(r)).flatMap(d -> view(caller, r))));
    }

    public Uni<Page<ApprovalView>> list(Caller caller, String status, String namespace, String limit, String cursor) {
        int n = Page.limit(limit);
        String before = Page.decodeCursor(cursor);
        if (status != null && ApprovalStatus.fromWire(status) == null) {
            throw ApiException.invalid("status", "must be one of pending, delayed, approved, denied, cancelled, expired");
        }
        // Visibility is the access model's SQL, so the page holds only what the caller may see.
        StringBuilder q = new StringBuilder("select r.* from approval_request r where exists (select 1 from principal p "
                + "where p.id = :me and " + AccessModel.seeRequestSql("p", "r") + ")");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("me", caller.id());
        if (status != null) {
            q.append(" and r.status = :status");
            params.put("status", status);
        }
        if (namespace != null) {
            q.append(" and r.namespace = :namespace");
            params.put("namespace", namespace);
        }
        if (before != null) {
            q.append(" and r.id < :before");
            params.put("before", before);
        }
        q.append(" order by r.id desc limit ").append(n + 1);
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> {
            var query = s.createNativeQuery(q.toString(), ApprovalRequest.class);
            params.forEach(query::setParameter);
            return query.getResultList();
        }).flatMap(rows -> views(caller, rows.size() > n ? rows.subList(0, n) : rows)
                .map(views -> new Page<>(views, rows.size() > n ? Page.encodeCursor(rows.get(n - 1).id) : null))));
    }

    /**
     * Long-poll: answers as soon as the request is final, or with its current state at the timeout.
     * Between checks it holds no connection and no thread; it re-reads the request when a change is
     * signalled (from any replica) or, as a safety net, every {@code ass.approvals.wait-poll-interval}.
     * A caller holds at most {@code ass.approvals.max-waits-per-principal} at once (429 beyond), and
     * a long-poll whose key is revoked meanwhile ends with 401.
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
            throw ApiException.invalid("timeout_seconds", "must be a whole number between 0 and " + max);
        }
        Instant deadline = clock.instant().plusSeconds(timeout);
        ApprovalSignals.Waiter waiter = signals.open(caller, id);
        return Uni.createFrom().deferred(() -> get(caller, id).flatMap(first -> poll(caller, id, first, deadline, waiter)))
                .onTermination().invoke(waiter::close);
    }

    private Uni<ApprovalView> poll(Caller caller, String id, ApprovalView current, Instant deadline,
            ApprovalSignals.Waiter waiter) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (ApprovalStatus.fromWire(current.status()).isFinal() || left.isNegative() || left.isZero()) {
            return Uni.createFrom().item(current);
        }
        Duration safetyNet = config.approvals().waitPollInterval();
        Duration nap = left.compareTo(safetyNet) < 0 ? left : safetyNet;
        return waiter.next(nap)
                .chain(() -> get(caller, id))
                .flatMap(next -> poll(caller, id, next, deadline, waiter));
    }

    // --- Deciding -----------------------------------------------------------------------------

    public Uni<ApprovalView> approve(Caller caller, String id, String comment) {
        String note = note(comment, "comment", false);
        return decide(caller, id, Action.APPROVE, "approval.approve", (s, now) -> ApprovalRules.approve(s, caller.id(), now), (r, o, now) -> {
            Uni<Void> applied = record(r, caller, "approve", note, now);
            int received = o.received();
            return applied.chain(() -> switch (o.effect()) {
                case COUNTED -> publish(EventType.PROGRESS, r, received, caller, note);
                case START_DELAY -> {
                    r.status = ApprovalStatus.DELAYED.wire();
                    r.issueAt = o.issueAt();
                    yield publish(EventType.APPROVED, r, received, caller, note);
                }
                case ISSUE_NOW -> {
                    r.status = ApprovalStatus.APPROVED.wire();
                    yield publish(EventType.APPROVED, r, received, caller, note).chain(() -> issue(r, caller, now));
                }
                default -> throw new IllegalStateException("unexpected effect " + o.effect());
            });
        });
    }

    public Uni<ApprovalView> deny(Caller caller, String id, String reason) {
        String note = note(reason, "reason", true);
        return decide(caller, id, Action.DENY, "approval.deny", ApprovalRules::deny, (r, o, now) -> {
            r.status = ApprovalStatus.DENIED.wire();
            r.decidedAt = now;
            return record(r, caller, "deny", note, now)
                    .chain(() -> publish(EventType.DENIED, r, o.received(), caller, note));
        });
    }

    public Uni<ApprovalView> cancel(Caller caller, String id, String reason) {
        String note = note(reason, "reason", false);
        return decide(caller, id, Action.CANCEL, "approval.cancel", ApprovalRules::cancel, (r, o, now) -> {
            r.status = ApprovalStatus.CANCELLED.wire();
            r.decidedAt = now;
            return record(r, caller, "cancel", note, now)
                    .chain(() -> publish(EventType.CANCELLED, r, o.received(), caller, note));
        });
    }

    /**
     * Cancels the open (pending or delayed) requests a principal made in namespaces it was just
     * removed from, in the caller's transaction. Each is recorded, audited and announced like any
     * cancellation ({@code approval.cancel}, event {@code approval.cancelled}).
     */
    public Uni<Integer> cancelForRemovedNamespaces(Caller actor, String requesterId, List<String> namespaces) {
        String note = "The requester was removed from the namespace.";
        Instant now = clock.instant();
        return Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select * from approval_request where requester_id = :requester "
                        + "and namespace in (:namespaces) and status in ('pending', 'delayed') order by id for update",
                        ApprovalRequest.class)
                        .setParameter("requester", requesterId)
                        .setParameter("namespaces", namespaces)
                        .getResultList())
                .flatMap(rows -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (ApprovalRequest r : rows) {
                        chain = chain.chain(() -> ApprovalDecision.count("requestId = ?1 and kind = 'approve'", r.id)
                                .flatMap(received -> {
                                    r.status = ApprovalStatus.CANCELLED.wire();
                                    r.decidedAt = now;
                                    return record(r, actor, "cancel", note, now)
                                            .call(() -> audit.append(AuditEvent.success("approval.cancel", actor)
                                                    .onPath(r.namespace, null).onTarget(r.id)
                                                    .with(Map.of("effect", "cancelled", "status", r.status,
                                                            "reason", "namespace_removed"))))
                                            .chain(() -> publish(EventType.CANCELLED, r, received.intValue(), actor, note));
                                }));
                    }
                    return chain.invoke(() -> rows.forEach(r -> signals.changed(r.id))).replaceWith(rows.size());
                });
    }

    /** The requester collects the token of its approved request (a fresh value each time). */
    public Uni<CollectedToken> collect(Caller caller, String id) {
        return Panache.withTransaction(() -> load(id, true).flatMap(r -> access.require(Action.COLLECT, caller, target(r)).flatMap(d -> {
            if (!ApprovalRules.collectable(state(r, List.of()))) {
                throw ApiException.conflict("The request is " + r.status + "; there is no token to collect.");
            }
            return issuer.collect(caller, r.tokenId).map(issued -> new CollectedToken("approved", issued.value(),
                    issued.token().id, r.id, issued.token().scope, issued.token().tier, issued.token().expiresAt));
        })));
    }

    // --- Jobs ---------------------------------------------------------------------------------

    /** Issues the token of every delayed request whose cancel window has closed. Returns how many. */
    public Uni<Integer> issueDue() {
        Instant now = clock.instant();
        Caller system = Caller.system("approval-job");
        return claim("status = 'delayed' and issue_at <= :now order by issue_at", now, r -> issue(r, system, now)
                .call(() -> audit.append(AuditEvent.success("approval.delay_elapsed", system).onPath(r.namespace, null)
                        .onTarget(r.id).with(Map.of("token_id", r.tokenId)))));
    }

    /** Expires pending requests past their expiry. Returns how many. */
    public Uni<Integer> expireStale() {
        Instant now = clock.instant();
        Caller system = Caller.system("approval-job");
        return claim("status = 'pending' and expires_at <= :now order by expires_at", now, r -> {
            r.status = ApprovalStatus.EXPIRED.wire();
            r.decidedAt = now;
            return audit.append(AuditEvent.success("approval.expire", system).onPath(r.namespace, null).onTarget(r.id))
                    .chain(() -> ApprovalDecision.count("requestId = ?1 and kind = 'approve'", r.id))
                    .flatMap(received -> publish(EventType.EXPIRED, r, received.intValue(), null, null));
        });
    }

    /**
     * Claims a batch of due rows with SKIP LOCKED, so that replicas running the same job never
     * take the same row, applies the change and commits; repeats while batches come back full.
     */
    private Uni<Integer> claim(String where, Instant now, java.util.function.Function<ApprovalRequest, Uni<Void>> change) {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select * from approval_request where " + where
                        + " limit " + JOB_BATCH + " for update skip locked", ApprovalRequest.class)
                        .setParameter("now", now)
                        .getResultList())
                .flatMap(rows -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (ApprovalRequest r : rows) {
                        chain = chain.chain(() -> change.apply(r));
                    }
                    return chain.replaceWith(rows.stream().map(r -> r.id).toList());
                }))
                .invoke(ids -> ids.forEach(signals::changed))
                .flatMap(ids -> ids.size() == JOB_BATCH
                        ? claim(where, now, change).map(more -> ids.size() + more)
                        : Uni.createFrom().item(ids.size()));
    }

    // --- Internals ----------------------------------------------------------------------------

    interface Rule {
        Outcome apply(State s, Instant now);
    }

    interface Change {
        Uni<Void> apply(ApprovalRequest r, Outcome o, Instant now);
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
    private Uni<ApprovalView> decide(Caller caller, String id, Action what, String action, Rule rule, Change change) {
        return Panache.withTransaction(() -> load(id, true).flatMap(r -> access.designation(r.namespace)
                .flatMap(designation -> decisions(List.of(r.id)).flatMap(ds -> {
                    Instant now = clock.instant();
                    Refusal refusal = AccessModel.check(what, AccessLoader.who(caller), target(r), designation).orElse(null);
                    if (refusal != null) {
                        AuditEvent refused = new AuditEvent(action, AuditEvent.Outcome.DENIED, caller, r.namespace, null,
                                r.id, Map.of("reason", refusal.name().toLowerCase(java.util.Locale.ROOT), "status", r.status));
                        return audit.append(refused).replaceWith(new Decided(r, null, refusal));
                    }
                    Outcome o = rule.apply(state(r, ds), now);
                    if (o.refused()) {
                        AuditEvent refused = new AuditEvent(action, AuditEvent.Outcome.DENIED, caller, r.namespace, null,
                                r.id, Map.of("reason", o.refusal(), "status", r.status));
                        return audit.append(refused).replaceWith(new Decided(r, o, null));
                    }
                    return change.apply(r, o, now)
                            .call(() -> audit.append(AuditEvent.success(action, caller).onPath(r.namespace, null).onTarget(r.id)
                                    .with(Map.of("effect", o.effect().name().toLowerCase(), "status", r.status))))
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
                        Outcome o = d.outcome();
                        throw new ApiException(o.refusalStatus(), o.refusalStatus() == 403 ? "Forbidden" : "Conflict",
                                o.refusal(), null);
                    }
                    return Panache.withSession(() -> view(caller, d.request()));
                });
    }

    private Uni<Void> issue(ApprovalRequest r, Caller actor, Instant now) {
        return issuer.issueForRequest(actor, r.requesterId, r.id, r.scope, r.scopeGlob, r.namespace, Tier.fromWire(r.tier),
                r.tokenTtlSeconds).invoke(t -> {
                    r.tokenId = t.id;
                    r.status = ApprovalStatus.APPROVED.wire();
                    r.decidedAt = now;
                }).chain(() -> publish(EventType.TOKEN_ISSUED, r, r.requiredApprovals, null, null));
    }

    /**
     * The event of a lifecycle change: the reference's webhook fields, then what an approver also
     * needs. Never a token value.
     */
    private Uni<Void> publish(String type, ApprovalRequest r, int received, Caller by, String note) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("approval_request_id", r.id);
        p.put("requested_by", r.requesterName);
        p.put("scope", r.scope);
        p.put("secret_paths", List.of(r.secretPaths));
        p.put("tier", r.tier);
        p.put("description", r.description);
        p.put("expires_at", r.expiresAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        p.put("approve_url", approveUrl(r.id));
        p.put("status", r.status);
        p.put("requester_id", r.requesterId);
        p.put("namespace", r.namespace);
        if (r.trustTier != null) {
            p.put("trust_tier", r.trustTier);
        }
        p.put("required_approvals", r.requiredApprovals);
        p.put("received_approvals", received);
        p.put("approval_delay_seconds", r.delaySeconds);
        if (r.issueAt != null) {
            p.put("issue_at", r.issueAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        }
        if (r.tokenId != null) {
            p.put("token_id", r.tokenId);
        }
        if (by != null) {
            p.put("actor_id", by.id());
            p.put("actor_name", by.name());
        }
        if (note != null) {
            p.put(EventType.DENIED.equals(type) || EventType.CANCELLED.equals(type) ? "reason" : "comment", note);
        }
        // The one hook of signed receipts: every terminal transition publishes its event here. The
        // receipt goes first, so that its signing is not done under the event lock EventLog takes.
        return receipts.ended(type, r)
                .chain(() -> events.publish(new Notice(type, r.id, r.namespace, r.requesterId, p))).replaceWithVoid();
    }

    private Uni<Void> record(ApprovalRequest r, Caller caller, String kind, String note, Instant now) {
        ApprovalDecision d = new ApprovalDecision();
        d.id = Ids.next("apd");
        d.requestId = r.id;
        d.principalId = caller.id();
        d.principalName = caller.name();
        d.kind = kind;
        d.note = note;
        d.decidedAt = now;
        return d.persist().replaceWithVoid();
    }

    private Uni<ApprovalRequest> load(String id, boolean lock) {
        Uni<ApprovalRequest> found = lock ? ApprovalRequest.findById(id, LockModeType.PESSIMISTIC_WRITE)
                : ApprovalRequest.findById(id);
        return found.map(r -> {
            if (r == null) {
                throw ApiException.notFound("No such approval request.");
            }
            return r;
        });
    }

    private static Target target(ApprovalRequest r) {
        return new Target(r.namespace, r.requesterId);
    }

    private static State state(ApprovalRequest r, List<ApprovalDecision> ds) {
        Set<String> approvedBy = new HashSet<>();
        ds.stream().filter(d -> d.kind.equals("approve")).forEach(d -> approvedBy.add(d.principalId));
        return new State(r.statusEnum(), r.requesterId, r.requiredApprovals, r.delaySeconds, r.expiresAt, r.issueAt, approvedBy);
    }

    private Uni<List<ApprovalDecision>> decisions(List<String> requestIds) {
        if (requestIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return ApprovalDecision.list("requestId in ?1 order by decidedAt, id", requestIds);
    }

    private Uni<ApprovalView> view(Caller caller, ApprovalRequest r) {
        return views(caller, List.of(r)).map(v -> v.get(0));
    }

    /** Views of requests the caller may see, each with the actions the caller may take on it now. */
    private Uni<List<ApprovalView>> views(Caller caller, List<ApprovalRequest> rows) {
        Instant now = clock.instant();
        return access.designations(rows.stream().map(r -> r.namespace).toList()).flatMap(designations -> decisions(
                rows.stream().map(r -> r.id).toList()).map(ds -> rows.stream().map(r -> {
            List<ApprovalDecision> mine = ds.stream().filter(d -> d.requestId.equals(r.id)).toList();
            List<Approval> approvals = mine.stream().filter(d -> d.kind.equals("approve"))
                    .map(d -> new Approval(d.principalId, d.principalName, d.note, d.decidedAt)).toList();
            Ending denial = ending(mine, "deny");
            Ending cancellation = ending(mine, "cancel");
            return new ApprovalView(r.id, r.status, r.statusEnum() == ApprovalStatus.APPROVED, r.requesterName,
                    r.requesterId, r.trustTier, r.namespace, r.scope, List.of(r.secretPaths), r.tier, r.requiredApprovals,
                    approvals.size(), r.delaySeconds, r.description, r.tokenTtlSeconds, r.explanation, r.createdAt,
                    r.expiresAt, r.issueAt, r.decidedAt, r.tokenId, approvals, denial, cancellation, approveUrl(r.id),
                    allowedActions(caller, r, state(r, mine), designations.get(r.namespace), now));
        }).toList()));
    }

    /** What the access model lets the caller do that the request's state also allows, for the UI to offer. */
    private static List<String> allowedActions(Caller caller, ApprovalRequest r, State s, Designation designation, Instant now) {
        List<String> allowed = new ArrayList<>();
        for (Action a : List.of(Action.APPROVE, Action.DENY, Action.CANCEL, Action.COLLECT)) {
            if (!AccessModel.allows(a, AccessLoader.who(caller), target(r), designation)) {
                continue;
            }
            boolean possible = switch (a) {
                case APPROVE -> !ApprovalRules.approve(s, caller.id(), now).refused();
                case DENY -> !ApprovalRules.deny(s, now).refused();
                case CANCEL -> !ApprovalRules.cancel(s, now).refused();
                case COLLECT -> ApprovalRules.collectable(s);
                default -> false;
            };
            if (possible) {
                allowed.add(a.wire());
            }
        }
        return allowed;
    }

    private static Ending ending(List<ApprovalDecision> ds, String kind) {
        return ds.stream().filter(d -> d.kind.equals(kind)).findFirst()
                .map(d -> new Ending(d.principalId, d.principalName, d.note, d.decidedAt)).orElse(null);
    }

    public String approveUrl(String id) {
        String base = config.publicUrl().endsWith("/") ? config.publicUrl().substring(0, config.publicUrl().length() - 1)
                : config.publicUrl();
        return base + "/dashboard/approvals/" + id;
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
