package com.agentsecretstore.approval;

import java.time.Instant;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * The signed receipt of an ended request (see V16). {@code payload} is the exact JSON text that was
 * signed; it is stored as text, never as jsonb, so that its bytes, and the signature with them, survive.
 * Read and written through {@link ReceiptStore}.
 */
@Entity
@Table(name = "approval_receipt")
public class ApprovalReceipt extends PanacheEntityBase {
    @Id
    public String requestId;
    public String namespace;
    public String requesterId;
    @Convert(converter = ApprovalConverters.Outcome.class)
    public ReceiptOutcome outcome;
    public String payload;
    public String keyId;
    public byte[] signature;
    public Instant createdAt;
}
