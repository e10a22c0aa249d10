package com.agentsecretstore.approval;

import java.time.Instant;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import com.agentsecretstore.policy.Sla;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.policy.TierConverter;
import com.agentsecretstore.policy.TrustTier;
import com.agentsecretstore.policy.moltbotden.TrustSource;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A token request waiting for, or decided by, humans. See V3__approvals.sql; read and written
 * through {@link ApprovalStore}.
 */
@Entity
@Table(name = "approval_request")
public class ApprovalRequest extends PanacheEntityBase {
    @Id
    public String id;
    public String requesterId;
    public String requesterName;
    public String namespace;
    public String scope;
    public String scopeGlob;
    public String description;
    /** The budget in effect: {@code scope}, {@code scopeGlob}, {@code tokenTtlSeconds}, {@code maxUses}, narrowed by approvals (V17). */
    public int tokenTtlSeconds;
    /** Reads the token allows; null: no limit. */
    public Integer maxUses;
    /** What the agent asked for, before any narrowing. */
    public String requestedScope;
    public int requestedTtlSeconds;
    public Integer requestedMaxUses;
    /** Free text the agent sets (its task id, say); part of the dedupe key. */
    public String runId;
    /** SHA-256 of requester, requested scope, description and run id: one open request per key. */
    public byte[] dedupeKey;
    @Convert(converter = TierConverter.class)
    public Tier tier;
    public int requiredApprovals;
    public int delaySeconds;
    /** The requester's trust tier when the policy applied one; null otherwise. */
    @Convert(converter = ApprovalConverters.Trust.class)
    public TrustTier trustTier;
    /** Where {@code trustTier} came from (V15). */
    @Convert(converter = ApprovalConverters.Source.class)
    public TrustSource trustSource;
    public String[] secretPaths;
    public String explanation;
    @Convert(converter = ApprovalConverters.Status.class)
    public ApprovalStatus status;
    public Instant createdAt;
    public Instant expiresAt;
    public Instant issueAt;
    public Instant decidedAt;
    public String tokenId;
    /** The policy that applied when the request was made (see V16); null on older requests. */
    public Integer policyRevision;
    public byte[] policySha256;
    /** The SLA ladder (V18): when the approvers are reminded and when the request escalates; null: never. */
    public Instant remindAt;
    public Instant remindedAt;
    public Instant escalateAt;
    public Instant escalatedAt;
    /** Who is added to the approvers at {@code escalateAt}, fixed when the request was made. */
    public String[] escalationApprovers = new String[0];

    /** Fixes the request's SLA ladder from {@code createdAt}; the policy's validation keeps each step before the expiry. */
    public void scheduleLadder(Sla sla) {
        remindAt = sla.remindAfterSeconds() == null ? null : createdAt.plusSeconds(sla.remindAfterSeconds());
        escalateAt = sla.escalateAfterSeconds() == null ? null : createdAt.plusSeconds(sla.escalateAfterSeconds());
        escalationApprovers = escalateAt == null ? new String[0] : sla.escalationApproversOrEmpty().toArray(String[]::new);
    }

    /** The principals the request escalated to: none before its escalation. */
    public java.util.List<String> escalatedTo() {
        return escalatedAt == null || escalationApprovers == null ? java.util.List.of() : java.util.List.of(escalationApprovers);
    }
}
