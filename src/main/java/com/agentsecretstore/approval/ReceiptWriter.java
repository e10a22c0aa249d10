package com.agentsecretstore.approval;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.approval.ReceiptApi.Decision;
import com.agentsecretstore.approval.ReceiptApi.Party;
import com.agentsecretstore.approval.ReceiptApi.Policy;
import com.agentsecretstore.approval.ReceiptApi.Receipt;
import com.agentsecretstore.audit.SealKeys;
import com.agentsecretstore.crypto.SigningKey;
import com.agentsecretstore.notify.EventType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Writes the signed receipt of a request when it ends, in the transaction that ends it: if the
 * receipt cannot be written (or signed), the ending is rolled back with it, so an ended request
 * always has its receipt and a receipt never describes an ending that did not happen.
 *
 * <p>Its one caller is where the approval flow publishes a lifecycle event ({@link #ended}): every
 * terminal transition (token issued, denied, cancelled, expired) publishes exactly one terminal event,
 * after the request row holds its final state.
 *
 * <p>The signed bytes are {@code "ass.approval.receipt.v1\n"} followed by the payload, a JSON text
 * ({@link Receipt}) stored verbatim: verifiers check the signature over the text they are given and
 * parse it only then, so no canonical JSON form is needed.
 */
@ApplicationScoped
public class ReceiptWriter {

    /** The terminal events and the outcome each one records. */
    static final Map<String, String> OUTCOMES = Map.of(EventType.TOKEN_ISSUED, "issued", EventType.DENIED, "denied",
            EventType.CANCELLED, "cancelled", EventType.EXPIRED, "expired");

    private static final HexFormat HEX = HexFormat.of();

    private final SealKeys keys;
    private final ObjectMapper json;
    private final Clock clock;

    public ReceiptWriter(SealKeys keys, ObjectMapper json, Clock clock) {
        this.keys = keys;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Called with every lifecycle event of a request, inside the transaction that publishes it; writes
     * the receipt when {@code eventType} ends the request, and does nothing otherwise.
     */
    public Uni<Void> ended(String eventType, ApprovalRequest r) {
        String outcome = OUTCOMES.get(eventType);
        if (outcome == null) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().flatMap(s -> s.flush())
                .chain(() -> ApprovalDecision.<ApprovalDecision>list("requestId = ?1 order by decidedAt, id", r.id))
                // The cached key: a pooled connection of its own could wait behind every request queued on this row.
                .flatMap(decisions -> keys.current().flatMap(key -> {
                    String payload = payload(receipt(r, outcome, decisions, key.id()));
                    ApprovalReceipt stored = new ApprovalReceipt();
                    stored.requestId = r.id;
                    stored.namespace = r.namespace;
                    stored.requesterId = r.requesterId;
                    stored.outcome = outcome;
                    stored.payload = payload;
                    stored.keyId = key.id();
                    stored.signature = key.sign(signedBytes(payload));
                    stored.createdAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
                    return stored.persist().replaceWithVoid();
                }));
    }

    /** What is signed: the version line, then the payload, in UTF-8. */
    public static byte[] signedBytes(String payload) {
        return (ReceiptApi.VERSION + "\n" + payload).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the stored receipt's signature holds under {@code key}'s public key. */
    static boolean verifies(ApprovalReceipt receipt, SigningKey key) {
        return SigningKey.verify(key.publicKey(), signedBytes(receipt.payload), receipt.signature);
    }

    static Receipt receipt(ApprovalRequest r, String outcome, List<ApprovalDecision> decisions, String keyId) {
        Policy policy = r.policyRevision == null ? null
                : new Policy(r.policyRevision, r.policySha256 == null ? null : HEX.formatHex(r.policySha256));
        List<Decision> made = decisions.stream()
                .map(d -> new Decision(d.kind, new Party(d.principalId, d.principalName), micros(d.decidedAt), d.note)).toList();
        return new Receipt(ReceiptApi.VERSION, r.id, outcome, new Party(r.requesterId, r.requesterName), r.namespace, r.scope,
                List.of(r.secretPaths), r.tier, r.tokenTtlSeconds, r.description, policy, r.requiredApprovals, made,
                r.delaySeconds, micros(r.issueAt), r.tokenId, micros(r.createdAt), micros(r.decidedAt), keyId);
    }

    /** Times as the database keeps them, so that the receipt and the request's rows agree to the digit. */
    private static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    private String payload(Receipt receipt) {
        try {
            return json.writeValueAsString(receipt);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("receipt not serializable", e);
        }
    }
}
