package com.agentsecretstore.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.approval.TokenAnswer.Kind;
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.Digests;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.policy.AccessDecider.Evaluation;
import com.agentsecretstore.policy.AccessDecider;
import com.agentsecretstore.policy.Requirement;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.policy.Sla;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.token.TokenApi.TokenRequest;
import com.agentsecretstore.token.TokenApi.TokenResponse;
import com.agentsecretstore.token.TokenIssuer;

import io.smallrye.mutiny.Uni;

/**
 * The request command, the one entry point of a token request whatever the transport: it is
 * served at once (the policy needs no approval), or opens an approval request in {@code pending}
 * for humans to decide, or, when the same principal already has the same ask open (same scope,
 * description and run id), answers with that request and pages no one again.
 */
@ApplicationScoped
public class TokenRequests {

    static final int MAX_DESCRIPTION = 1000;
    /** Reads a token may be limited to; a larger budget is as good as none. */
    static final int MAX_USES = 1_000_000;
    /** A run id: what an agent uses for a task id (UUIDs, ULIDs, "job-42", "ci/123"), nothing that needs escaping. */
    static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:/@+-]{1,128}");

    private final AccessDecider decider;
    private final TokenIssuer issuer;
    private final AuditLog audit;
    private final Clock clock;
    private final AssConfig config;
    private final ApprovalTransitions transitions;
    private final ApprovalStore store;
    private final IdempotencyKeys keys;

    public TokenRequests(AccessDecider decider, TokenIssuer issuer, AuditLog audit, Clock clock, AssConfig config,
            ApprovalTransitions transitions, ApprovalStore store, IdempotencyKeys keys) {
        this.store = store;
        this.keys = keys;
        this.decider = decider;
        this.issuer = issuer;
        this.audit = audit;
        this.clock = clock;
        this.config = config;
        this.transitions = transitions;
    }

    /** A request, validated: what the command acts on, and what makes two asks the same. */
    public record Ask(Scope scope, int ttlSeconds, String description, Integer maxUses, String runId) {

        /** SHA-256 over the fields, each length-prefixed (a replayed Idempotency-Key must carry the same). */
        byte[] fingerprint() {
            return Digests.sha256("ask", scope.value(), Integer.toString(ttlSeconds), description,
                    maxUses == null ? null : maxUses.toString(), runId);
        }

        /** What makes a repeated ask the same one: requester, scope, description, run id. */
        byte[] dedupeKey(String requesterId) {
            return Digests.sha256("dedupe", requesterId, scope.value(), description, runId);
        }
    }

    /** The request command; the body's status says what happened ({@code approved}, {@code pending}, ...). */
    public Uni<TokenResponse> requestToken(Caller caller, TokenRequest body) {
        return answer(caller, validate(body)).map(TokenAnswer::body);
    }

    /**
     * The request command with an optional {@code Idempotency-Key} (null: none). The first request
     * with a key is served and its answer kept (never a token value); a retry with the same body
     * gets that answer, see {@link IdempotencyKeys} for the one it cannot get.
     */
    public Uni<TokenAnswer> answer(Caller caller, TokenRequest body, String idempotencyKey) {
        Ask ask = validate(body);
        if (idempotencyKey == null) {
            return answer(caller, ask);
        }
        String key = IdempotencyKeys.check(idempotencyKey);
        byte[] fingerprint = ask.fingerprint();
        return keys.claim(caller.id(), key, fingerprint).flatMap(stored -> stored != null
                ? Uni.createFrom().item(() -> keys.replay(stored, fingerprint))
                : Uni.createFrom().deferred(() -> answer(caller, ask))
                        .call(a -> keys.complete(caller.id(), key, a))
                        .onFailure().call(e -> keys.release(caller.id(), key)));
    }

    /** Checks every field, all errors at once (422), and whether the caller may ask in the namespace. */
    public Ask validate(TokenRequest body) {
        if (body == null) {
            throw ApiException.invalid("scope", "is required");
        }
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
        if (body.maxUses() != null && (body.maxUses() < 1 || body.maxUses() > MAX_USES)) {
            errors.add(new FieldError("max_uses", "must be between 1 and " + MAX_USES));
        }
        if (body.runId() != null && !RUN_ID.matcher(body.runId()).matches()) {
            errors.add(new FieldError("run_id",
                    "must be 1 to 128 characters among letters, digits and . _ : / @ + -"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new Ask(Scope.parse(body.scope()), ttl, description, body.maxUses(), body.runId());
    }

    /** Serves a validated ask: a token now, a new approval request, or the open one it repeats. */
    public Uni<TokenAnswer> answer(Caller caller, Ask ask) {
        Scope scope = ask.scope();
        if (!caller.isAdmin() && !caller.namespaces().contains(scope.namespace())) {
            throw ApiException.forbidden("This principal may not request tokens in namespace " + scope.namespace() + ".");
        }
        // Most requests need no approval and are served on plain SQL; a Hibernate transaction
        // is opened only for an approval request (its workflow lives in entities).
        return decider.evaluate(scope, caller.id()).flatMap(e -> {
            Requirement req = e.requirement();
            if (!req.autoApproved()) {
                return openRequest(caller, ask, e);
            }
            return issuer.issueNow(caller, scope, req.tier(), ask.ttlSeconds(), ask.maxUses(), why(req, ask))
                    .map(issued -> new TokenAnswer(Kind.ISSUED, TokenResponse.approved(issued.value(), issued.token())));
        });
    }

    private static Map<String, Object> why(Requirement req, Ask ask) {
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("explanation", req.reason());
        why.put("description", ask.description());
        if (ask.runId() != null) {
            why.put("run_id", ask.runId());
        }
        return why;
    }

    /**
     * Opens an approval request, unless the same ask is open already. Asks with one dedupe key are
     * serialized by an advisory lock (across replicas), and the partial unique index on open
     * requests' keys backs it: two parallel asks never open two requests.
     */
    private Uni<TokenAnswer> openRequest(Caller caller, Ask ask, Evaluation e) {
        byte[] dedupeKey = ask.dedupeKey(caller.id());
        return Transactions.run(() -> store.lockDedupe(dedupeKey)
                .chain(() -> store.openByDedupe(dedupeKey))
                .flatMap(open -> {
                    Instant now = clock.instant();
                    if (open == null) {
                        return create(caller, ask, e, dedupeKey, now);
                    }
                    if (ApprovalRules.answersRepeat(ApprovalStore.state(open, List.of()), now)) {
                        return repeat(caller, open);
                    }
                    return store.forgetDedupe(open).chain(() -> create(caller, ask, e, dedupeKey, now));
                }));
    }

    private Uni<TokenAnswer> repeat(Caller caller, ApprovalRequest r) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("approval_request_id", r.id);
        details.put("status", r.status.wire());
        if (r.runId != null) {
            details.put("run_id", r.runId);
        }
        return audit.append(AuditEvent.success(AuditAction.APPROVAL_REQUEST_REPEAT, caller).onPath(r.namespace, null)
                .onTarget(r.id).with(details))
                .replaceWith(() -> new TokenAnswer(Kind.REPEATED, response(r)));
    }

    private static TokenResponse response(ApprovalRequest r) {
        return TokenResponse.open(r.status.wire(), r.id, r.scope, r.tier.wire(), r.requiredApprovals, r.expiresAt, r.maxUses, r.runId);
    }

    private Uni<TokenAnswer> create(Caller caller, Ask ask, Evaluation e, byte[] dedupeKey, Instant now) {
        Requirement req = e.requirement();
        Scope scope = ask.scope();
        ApprovalRequest r = new ApprovalRequest();
        r.id = Ids.next("apr");
        r.requesterId = caller.id();
        r.requesterName = caller.name();
        r.namespace = scope.namespace();
        r.scope = scope.value();
        r.scopeGlob = scope.glob().pattern();
        r.description = ask.description();
        r.tokenTtlSeconds = ask.ttlSeconds();
        r.maxUses = ask.maxUses();
        r.requestedScope = scope.value();
        r.requestedTtlSeconds = ask.ttlSeconds();
        r.requestedMaxUses = ask.maxUses();
        r.runId = ask.runId();
        r.dedupeKey = dedupeKey;
        r.tier = req.tier();
        r.requiredApprovals = req.requiredApprovals();
        r.delaySeconds = req.approvalDelaySeconds();
        r.trustTier = e.trustApplied() ? e.trust() : null;
        r.trustSource = e.trustApplied() ? e.trustSource() : null;
        r.secretPaths = e.secretPaths().toArray(String[]::new);
        r.explanation = req.reason();
        r.policyRevision = e.policyRevision();
        r.policySha256 = e.policySha256();
        r.status = ApprovalStatus.PENDING;
        r.createdAt = now;
        r.expiresAt = now.plusSeconds(e.policy().effectiveRequestTtlSeconds());
        r.scheduleLadder(Sla.forRequest(e.policy(), req.matchedPattern()));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("approval_request_id", r.id);
        details.put("scope", r.scope);
        details.put("tier", r.tier.wire());
        details.put("required_approvals", r.requiredApprovals);
        details.put("delay_seconds", r.delaySeconds);
        details.put("explanation", r.explanation);
        details.put("ttl_seconds", r.tokenTtlSeconds);
        if (r.maxUses != null) {
            details.put("max_uses", r.maxUses);
        }
        if (r.runId != null) {
            details.put("run_id", r.runId);
        }
        if (r.trustTier != null) {
            details.put("trust_tier", r.trustTier.wire());
            details.put("trust_source", r.trustSource == null ? null : r.trustSource.wire());
        }
        return store.insert(r)
                .call(() -> audit.append(AuditEvent.success(AuditAction.APPROVAL_REQUEST, caller)
                        .onPath(r.namespace, null).onTarget(r.id).with(details)))
                .call(() -> transitions.requested(r))
                .map(ignored -> new TokenAnswer(Kind.OPENED, response(r)));
    }
}
