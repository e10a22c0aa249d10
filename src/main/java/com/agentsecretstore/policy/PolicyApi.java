package com.agentsecretstore.policy;

import java.time.Instant;
import java.util.List;

/** Bodies of {@code /v1/namespaces/{ns}/policy}. */
public final class PolicyApi {

    private PolicyApi() {
    }

    /** The reference's policy body; tiers stay strings here so a wrong one is reported, not rejected as bad JSON. */
    public record PolicyBody(String defaultTier, List<OverrideBody> pathOverrides, Integer requestTtlSeconds,
            List<String> approvers, Integer remindAfterSeconds, Integer escalateAfterSeconds, List<String> escalationApprovers) {

        public PolicyBody(String defaultTier, List<OverrideBody> pathOverrides, Integer requestTtlSeconds, List<String> approvers) {
            this(defaultTier, pathOverrides, requestTtlSeconds, approvers, null, null, null);
        }
    }

    /** An override; its SLA fields, when set, refine the policy's ladder for the requests it governs. */
    public record OverrideBody(String pattern, String tier, Integer requiredApprovals, Integer approvalDelaySeconds,
            Integer remindAfterSeconds, Integer escalateAfterSeconds, List<String> escalationApprovers) {

        public OverrideBody(String pattern, String tier, Integer requiredApprovals, Integer approvalDelaySeconds) {
            this(pattern, tier, requiredApprovals, approvalDelaySeconds, null, null, null);
        }
    }

    public record PolicyView(String namespace, String defaultTier, List<OverrideBody> pathOverrides,
            int requestTtlSeconds, List<String> approvers, Integer remindAfterSeconds, Integer escalateAfterSeconds,
            List<String> escalationApprovers, int revision, Instant updatedAt, String updatedBy) {
    }

    public record SimulateRequest(String principalId, String scope) {
    }

    /**
     * {@code trustTier}, {@code trustAdjusted} and {@code trustSource} are shown to admins only (null, hence absent, for
     * others); {@code trustSource} is absent too when nothing needed a trust tier.
     */
    public record Decision(String tier, int requiredApprovals, int approvalDelaySeconds, boolean autoApproved,
            String matchedPattern, String trustTier, Boolean trustAdjusted, String trustSource, List<String> secretPaths,
            String explanation) {
    }
}
