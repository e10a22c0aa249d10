package com.agentsecretstore.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.policy.AccessDecider;
import com.agentsecretstore.policy.AccessDecider.Evaluation;
import com.agentsecretstore.policy.Requirement;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.policy.Sla;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.token.TokenApi.TokenRequest;
import com.agentsecretstore.token.TokenApi.TokenResponse;
import com.agentsecretstore.token.TokenIssuer;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The request command: a token request either is served at once (the policy needs no approval)
 * or opens an approval request, in {@code pending}, for humans to decide.
 */
@ApplicationScoped
public class TokenRequests {

    static final int MAX_DESCRIPTION = 1000;

    private final AccessDecider decider;
    private final TokenIssuer issuer;
    private final AuditLog audit;
    private final Clock clock;
    private final AssConfig config;
    private final ApprovalTransitions transitions;

    public TokenRequests(AccessDecider decider, TokenIssuer issuer, AuditLog audit, Clock clock, AssConfig config,
            ApprovalTransitions transitions) {
        this.decider = decider;
        this.issuer = issuer;
        this.audit = audit;
        this.clock = clock;
        this.config = config;
        this.transitions = transitions;
    }

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
            r.trustSource = e.trustApplied() && e.trustSource() != null ? e.trustSource().wire() : null;
            r.secretPaths = e.secretPaths().toArray(String[]::new);
            r.explanation = req.reason();
            r.policyRevision = e.policyRevision();
            r.policySha256 = e.policySha256();
            r.status = ApprovalStatus.PENDING.wire();
            r.createdAt = now;
            r.expiresAt = now.plusSeconds(e.policy().effectiveRequestTtlSeconds());
            r.scheduleLadder(Sla.forRequest(e.policy(), req.matchedPattern()));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("approval_request_id", r.id);
            details.put("scope", r.scope);
            details.put("tier", r.tier);
            details.put("required_approvals", r.requiredApprovals);
            details.put("delay_seconds", r.delaySeconds);
            details.put("explanation", r.explanation);
            if (r.trustTier != null) {
                details.put("trust_tier", r.trustTier);
                details.put("trust_source", r.trustSource);
            }
            return r.persist()
                    .call(() -> audit.append(AuditEvent.success(AuditAction.APPROVAL_REQUEST, caller)
                            .onPath(r.namespace, null).onTarget(r.id).with(details)))
                    .call(() -> transitions.requested(r))
                    .map(ignored -> TokenResponse.pending(r.id, r.scope, r.tier, r.requiredApprovals, r.expiresAt));
        });
    }
}
