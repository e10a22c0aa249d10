package com.agentsecretstore.policy;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.access.AccessLoader;
import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.access.Designation;
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.policy.PolicyApi.Decision;
import com.agentsecretstore.policy.PolicyApi.PolicyBody;
import com.agentsecretstore.policy.PolicyApi.PolicyView;
import com.agentsecretstore.policy.PolicyApi.SimulateRequest;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Principal;
import com.agentsecretstore.principal.PrincipalTable;
import com.agentsecretstore.principal.Role;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

/**
 * Namespace policies ({@code namespace_policy} through {@link PolicyTable}) and their simulation (the
 * MoltbotDen setting is {@code policy.moltbotden}).
 */
@ApplicationScoped
public class PolicyService {

    private static final String ADMINS_ONLY = "Only admins may change policies and settings.";

    private final AccessDecider decider;
    private final AuditLog audit;
    private final Clock clock;
    private final ObjectMapper json;
    private final AssConfig config;
    private final PolicyTable policies;

    public PolicyService(AccessDecider decider, AuditLog audit, Clock clock, ObjectMapper json, AssConfig config,
            PolicyTable policies) {
        this.policies = policies;
        this.config = config;
        this.decider = decider;
        this.audit = audit;
        this.clock = clock;
        this.json = json;
    }

    public Uni<PolicyView> get(Caller caller, String namespace) {
        return Transactions.read(() -> {
            requireNamespace(namespace);
            return policies.find(namespace, false).flatMap(r -> decider.policy(namespace).map(p -> {
                requireReader(caller, p);
                return view(p, r == null ? 0 : r.revision, r == null ? null : r.updatedAt, r == null ? null : r.updatedBy);
            }));
    
        });
    }

    public Uni<PolicyView> put(Caller caller, String namespace, PolicyBody body) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            requireNamespace(namespace);
            NamespacePolicy policy = PolicyDocuments.toPolicy(namespace, body);
            List<PolicyViolation> violations = new java.util.ArrayList<>(policy.validate());
            violations.addAll(limits().check(policy));
            if (!violations.isEmpty()) {
                throw ApiException.invalid(violations.stream().map(v -> new FieldError(v.field(), v.message())).toList());
            }
            String document = PolicyDocuments.write(json, policy);
            Instant now = clock.instant();
            return requireApprovers(designatedIds(policy))
                    .chain(() -> policies.find(namespace, true)).flatMap(existing -> {
                PolicyRecord r = existing != null ? existing : new PolicyRecord();
                r.namespace = namespace;
                r.document = document;
                r.revision = existing == null ? 1 : existing.revision + 1;
                r.updatedAt = now;
                r.updatedBy = caller.id();
                Uni<Void> saved = existing == null ? policies.insert(r) : Uni.createFrom().voidItem();
                return saved.call(() -> audit.append(AuditEvent.success(AuditAction.POLICY_UPDATE, caller).onPath(namespace, null)
                        .with(Map.of("revision", r.revision, "default_tier", policy.defaultTier().wire(),
                                "overrides", policy.pathOverrides().size()))))
                        .map(ignored -> view(policy, r.revision, r.updatedAt, r.updatedBy));
            });
    
        });
    }

    private PolicyLimits limits() {
        AssConfig.Policy p = config.policy();
        return new PolicyLimits(p.maxPatternLength(), p.maxGlobstars(), p.maxWildcards(), p.maxPathOverrides());
    }

    /**
     * Every principal id the policy designates, by the field that names it: {@code approvers} and the
     * escalation approvers of the policy and of each override.
     */
    private static Map<String, String> designatedIds(NamespacePolicy policy) {
        Map<String, String> byField = new java.util.LinkedHashMap<>();
        named(byField, "approvers", policy.approvers());
        named(byField, "escalation_approvers", policy.sla().escalationApprovers());
        for (int i = 0; i < policy.pathOverrides().size(); i++) {
            named(byField, "path_overrides[" + i + "].escalation_approvers", policy.pathOverrides().get(i).sla().escalationApprovers());
        }
        return byField;
    }

    private static void named(Map<String, String> byField, String field, List<String> ids) {
        for (int i = 0; ids != null && i < ids.size(); i++) {
            byField.put(field + "[" + i + "]", ids.get(i));
        }
    }

    /**
     * A policy designates principals ({@code approvers}, {@code escalation_approvers}) by id, each an
     * enabled approver or admin: a name could designate whoever takes it later, and an agent must
     * never decide a request.
     */
    private static Uni<Void> requireApprovers(Map<String, String> byField) {
        if (byField.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return PrincipalTable.byIds(List.copyOf(new java.util.HashSet<>(byField.values()))).map(found -> {
            Map<String, Principal> byId = new java.util.HashMap<>();
            found.forEach(p -> byId.put(p.id, p));
            List<FieldError> errors = new java.util.ArrayList<>();
            byField.forEach((field, id) -> {
                Principal p = byId.get(id);
                if (p == null || p.disabled || !(p.role == Role.APPROVER || p.role == Role.ADMIN)) {
                    errors.add(new FieldError(field, "must be the id of an enabled approver or admin principal"));
                }
            });
            if (!errors.isEmpty()) {
                throw ApiException.invalid(errors);
            }
            return null;
        });
    }

    /**
     * What a request by this principal for this scope would require, and why. Changes nothing.
     * A principal's trust tier is for admins only: others get the policy's answer before any
     * trust-tier relaxation, and no tier.
     */
    public Uni<Decision> simulate(Caller caller, String namespace, SimulateRequest request) {
        return Transactions.read(() -> {
            requireNamespace(namespace);
            if (request.principalId() == null || request.principalId().isBlank()) {
                throw ApiException.invalid("principal_id", "is required");
            }
            String problem = Scope.problem(request.scope());
            if (problem != null) {
                throw ApiException.invalid("scope", problem);
            }
            Scope scope = Scope.parse(request.scope());
            if (!scope.namespace().equals(namespace)) {
                throw ApiException.invalid("scope", "must be inside namespace " + namespace);
            }
            return decider.policy(namespace).invoke(policy -> requireReader(caller, policy))
                    .chain(() -> PrincipalTable.byId(request.principalId())).flatMap(p -> {
                if (p == null) {
                    throw ApiException.invalid("principal_id", "no such principal");
                }
                return decider.evaluate(scope, p.id).map(e -> {
                    if (!caller.isAdmin()) {
                        Requirement base = e.base();
                        return new Decision(base.tier().wire(), base.requiredApprovals(), base.approvalDelaySeconds(),
                                base.autoApproved(), base.matchedPattern(), null, null, null, e.secretPaths(), base.reason());
                    }
                    return new Decision(e.requirement().tier().wire(),
                        e.requirement().requiredApprovals(), e.requirement().approvalDelaySeconds(),
                        e.requirement().autoApproved(), e.requirement().matchedPattern(), e.trust().wire(), e.trustApplied(),
                        e.trustSource() == null ? null : e.trustSource().wire(),
                        e.secretPaths(), e.requirement().reason());
                });
            });
    
        });
    }

    private PolicyView view(NamespacePolicy p, int revision, Instant updatedAt, String updatedBy) {
        PolicyBody body = PolicyDocuments.toBody(p);
        return new PolicyView(p.namespace(), body.defaultTier(), body.pathOverrides(), body.requestTtlSeconds(),
                body.approvers(), body.remindAfterSeconds(), body.escalateAfterSeconds(), body.escalationApprovers(), revision, updatedAt, updatedBy);
    }

    private static void requireNamespace(String namespace) {
        if (namespace == null || !namespace.matches("[A-Za-z0-9._-]{1,128}") || namespace.equals(".") || namespace.equals("..")) {
            throw ApiException.invalid("namespace", "must be a namespace name");
        }
    }


    /** The access model's rule: admins, the namespace's approvers, and the approvers the policy names. */
    private static void requireReader(Caller caller, NamespacePolicy policy) {
        if (!AccessModel.mayReadPolicy(AccessLoader.who(caller), policy.namespace(), new Designation(policy.approvers()))) {
            throw ApiException.forbidden("This principal may not read this namespace's policy.");
        }
    }
}
