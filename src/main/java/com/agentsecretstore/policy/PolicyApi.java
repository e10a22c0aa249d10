package com.agentsecretstore.policy;

import java.time.Instant;
import java.util.List;

/** Bodies of {@code /v1/namespaces/{ns}/policy} and {@code /v1/settings/integrations/moltbotden}. */
public final class PolicyApi {

    private PolicyApi() {
    }

    /** The reference's policy body; tiers stay strings here so a wrong one is reported, not rejected as bad JSON. */
    public record PolicyBody(String defaultTier, List<OverrideBody> pathOverrides, Integer requestTtlSeconds,
            List<String> approvers) {
    }

    public record OverrideBody(String pattern, String tier, Integer requiredApprovals, Integer approvalDelaySeconds) {
    }

    public record PolicyView(String namespace, String defaultTier, List<OverrideBody> pathOverrides,
            int requestTtlSeconds, List<String> approvers, int revision, Instant updatedAt, String updatedBy) {
    }

    public record SimulateRequest(String principalId, String scope) {
    }

    /** {@code trustTier} and {@code trustAdjusted} are shown to admins only (null, hence absent, for others). */
    public record Decision(String tier, int requiredApprovals, int approvalDelaySeconds, boolean autoApproved,
            String matchedPattern, String trustTier, Boolean trustAdjusted, List<String> secretPaths, String explanation) {
    }

    public record MoltbotdenSettings(Boolean enabled, String baseUrl) {
    }
}
