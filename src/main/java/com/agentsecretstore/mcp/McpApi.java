package com.agentsecretstore.mcp;

import java.time.Instant;

import com.agentsecretstore.approval.ApprovalApi.ApprovalView;
import com.agentsecretstore.approval.ApprovalApi.CollectedToken;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the MCP tools answer, as JSON text content (snake_case, like the REST API). Serialized by
 * {@link ToolAnswers}, not by a REST method: native-image must be told.
 */
public final class McpApi {

    private McpApi() {
    }

    /**
     * The answer of {@code access_status}: where the approval request stands, and the token once it
     * is approved and this caller is its requester. {@code reason} is the denial's or cancellation's.
     */
    @RegisterForReflection
    public record AccessStatus(String approvalRequestId, String status, String scope, String tier,
            int requiredApprovals, int receivedApprovals, int ttlSeconds, Instant createdAt, Instant expiresAt,
            Instant issueAt, Instant decidedAt, String reason, IssuedToken token) {

        static AccessStatus of(ApprovalView v, IssuedToken token) {
            String reason = v.denial() != null ? v.denial().reason() : v.cancellation() != null ? v.cancellation().reason() : null;
            return new AccessStatus(v.id(), v.status(), v.scope(), v.tier(), v.requiredApprovals(), v.receivedApprovals(),
                    v.ttlSeconds(), v.createdAt(), v.expiresAt(), v.issueAt(), v.decidedAt(), reason, token);
        }

        @Override
        public String toString() {
            return "AccessStatus[" + approvalRequestId + ", " + status + "]";
        }
    }

    /** A token value for {@code read_secret}; it appears only in the answer that hands it out. */
    @RegisterForReflection
    public record IssuedToken(String value, String tokenId, String scope, String tier, Instant expiresAt, Integer maxUses) {

        static IssuedToken of(CollectedToken t) {
            return new IssuedToken(t.value(), t.tokenId(), t.scope(), t.tier(), t.expiresAt(), t.maxUses());
        }

        @Override
        public String toString() {
            return "IssuedToken[" + tokenId + "]";
        }
    }
}
