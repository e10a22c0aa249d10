package com.agentsecretstore.audit;

import java.util.Map;

import com.agentsecretstore.principal.Caller;

/**
 * What happened, by whom, to what. {@code details} must never hold a secret value, key or token:
 * only ids, paths, tiers, versions and reasons.
 */
public record AuditEvent(AuditAction action, Outcome outcome, Caller actor, String namespace, String path, String targetId,
        Map<String, Object> details) {

    public enum Outcome {
        SUCCESS, DENIED, FAILURE
    }

    public static AuditEvent success(AuditAction action, Caller actor) {
        return new AuditEvent(action, Outcome.SUCCESS, actor, null, null, null, Map.of());
    }

    public AuditEvent onPath(String namespace, String path) {
        return new AuditEvent(action, outcome, actor, namespace, path, targetId, details);
    }

    public AuditEvent onTarget(String targetId) {
        return new AuditEvent(action, outcome, actor, namespace, path, targetId, details);
    }

    public AuditEvent with(Map<String, Object> details) {
        return new AuditEvent(action, outcome, actor, namespace, path, targetId, details);
    }
}
