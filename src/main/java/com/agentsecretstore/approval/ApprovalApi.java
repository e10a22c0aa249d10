package com.agentsecretstore.approval;

import java.time.Instant;
import java.util.List;

/** Bodies of {@code /v1/approvals}. */
public final class ApprovalApi {

    private ApprovalApi() {
    }

    /** {@code stepUp}: the passkey assertion a critical approval needs (see {@code POST /v1/approvals/{id}/step-up}). */
    public record ApproveBody(String comment, com.agentsecretstore.passkey.PasskeyApi.Assertion stepUp) {
    }

    public record DenyBody(String reason) {
    }

    public record CancelBody(String reason) {
    }

    public record Approval(String approverId, String approverName, String comment, Instant approvedAt) {
    }

    public record Ending(String byId, String byName, String reason, Instant at) {
    }

    /**
     * Everything about one request, as approvers and the requester see it. {@code allowedActions}
     * ({@code approve}, {@code deny}, {@code cancel}, {@code collect}) are what this caller may do
     * with it now, by the access model and the request's state; clients offer exactly these.
     * {@code stepUpRequired}: approving it needs a passkey assertion made for it.
     */
    public record ApprovalView(String id, String status, boolean approved, String requestedBy, String requesterId,
            String trustTier, String trustSource, String namespace, String scope, List<String> secretPaths, String tier,
            int requiredApprovals, int receivedApprovals, int approvalDelaySeconds, String description,
            int ttlSeconds, String explanation, Instant createdAt, Instant expiresAt, Instant issueAt,
            Instant decidedAt, String tokenId, List<Approval> approvals, Ending denial, Ending cancellation,
            String approveUrl, List<String> allowedActions, boolean stepUpRequired) {
    }

    /** The collected token of an approved request. */
    public record CollectedToken(String status, String value, String tokenId, String approvalRequestId, String scope,
            String tier, Instant expiresAt) {
        @Override
        public String toString() {
            return "CollectedToken[" + tokenId + "]";
        }
    }
}
