package com.agentsecretstore.approval;

import java.time.Instant;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One approval, the denial or the cancellation of a request; read and written through {@link ApprovalStore}. */
@Entity
@Table(name = "approval_decision")
public class ApprovalDecision extends PanacheEntityBase {
    @Id
    public String id;
    public String requestId;
    public String principalId;
    public String principalName;
    @Convert(converter = ApprovalConverters.Kind.class)
    public DecisionKind kind;
    public String note;
    public Instant decidedAt;
    /** What this approval narrowed (V17); null where it left the budget as it was. */
    public String narrowedScope;
    public Integer narrowedTtlSeconds;
    public Integer narrowedMaxUses;
}
