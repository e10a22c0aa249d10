package com.agentsecretstore.approval;

import java.time.Instant;
import java.util.List;

/** Bodies of {@code /v1/approvals}. */
public final class ApprovalApi {

    private ApprovalApi() {
    }

    /**
     * An approval, which may narrow the budget in effect: a shorter {@code ttlSeconds}, fewer
     * {@code maxUses}, a {@code scope} within the current one (422 otherwise). {@code stepUp}: the
     * passkey assertion a critical approval needs (see {@code POST /v1/approvals/{id}/step-up}).
     */
    public record ApproveBody(String comment, Integer ttlSeconds, Integer maxUses, String scope,
            com.agentsecretstore.passkey.PasskeyApi.Assertion stepUp) {
    }

    /** What one approval narrowed; absent parts were left as they were. */
    public record Narrowed(String scope, Integer ttlSeconds, Integer maxUses) {
    }

    public record DenyBody(String reason) {
    }

    public record CancelBody(String reason) {
    }

    public record Approval(String approverId, String approverName, String comment, Instant approvedAt, Narrowed narrowed) {
    }

    public record Ending(String byId, String byName, String reason, Instant at) {
    }

    /**
     * Everything about one request, as approvers and the requester see it. {@code allowedActions}
     * ({@code approve}, {@code deny}, {@code cancel}, {@code collect}) are what this caller may do
     * with it now, by the access model and the request's state; clients offer exactly these.
     * {@code scope}, {@code ttlSeconds} and {@code maxUses} are the budget in effect (what approvals
     * narrowed so far); {@code requested*} what the agent asked for.
     * {@code sla} is the request's SLA ladder; absent when its policy has none.
     * {@code stepUpRequired}: approving it needs a passkey assertion made for it.
     */
    public record ApprovalView(String id, String status, boolean approved, String requestedBy, String requesterId,
            String trustTier, String trustSource, String namespace, String scope, List<String> secretPaths, String tier,
            int requiredApprovals, int receivedApprovals, int approvalDelaySeconds, String description,
            int ttlSeconds, String explanation, Instant createdAt, Instant expiresAt, Instant issueAt,
            Instant decidedAt, String tokenId, List<Approval> approvals, Ending denial, Ending cancellation,
            String approveUrl, List<String> allowedActions, Integer maxUses, String runId, String requestedScope,
            int requestedTtlSeconds, Integer requestedMaxUses, SlaView sla, boolean stepUpRequired) {
    }

    /** Where a request stands on its SLA ladder: when each step is due and when it happened (null: not yet, or none). */
    public record SlaView(Instant remindAt, Instant remindedAt, Instant escalateAt, Instant escalatedAt,
            List<String> escalationApprovers) {
    }

    /** The collected token of an approved request with the budget it was issued with ({@code maxUses} null: no read limit). */
    public record CollectedToken(String status, String value, String tokenId, String approvalRequestId, String scope,
            String tier, Instant expiresAt, Integer maxUses) {
        @Override
        public String toString() {
            return "CollectedToken[" + tokenId + "]";
        }
    }
}
