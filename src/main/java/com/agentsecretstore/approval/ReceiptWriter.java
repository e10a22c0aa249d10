package com.agentsecretstore.approval;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.approval.ReceiptApi.Decision;
import com.agentsecretstore.approval.ReceiptApi.Party;
import com.agentsecretstore.approval.ReceiptApi.Policy;
import com.agentsecretstore.approval.ReceiptApi.Receipt;
import com.agentsecretstore.audit.SealKeys;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

/**
 * Writes the signed receipt of a request when it ends, in the transaction that ends it: if the
 * receipt cannot be written (or signed), the ending is rolled back with it, so an ended request
 * always has its receipt and a receipt never describes an ending that did not happen. The receipt is
 * stored through {@link ReceiptStore}.
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

    private static final HexFormat HEX = HexFormat.of();

    private final ApprovalStore requests;
    private final ReceiptStore receipts;
    private final SealKeys keys;
    private final ObjectMapper json;
    private final Clock clock;

    public ReceiptWriter(ApprovalStore requests, ReceiptStore receipts, SealKeys keys, ObjectMapper json, Clock clock) {
        this.requests = requests;
        this.receipts = receipts;
        this.keys = keys;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Called with every lifecycle event of a request, inside the transaction that publishes it; writes
     * the receipt when {@code eventType} ends the request, and does nothing otherwise.
     */
    public Uni<Void> ended(String eventType, ApprovalRequest r) {
        ReceiptOutcome outcome = ReceiptOutcome.ofEvent(eventType);
        if (outcome == null) {
            return Uni.createFrom().voidItem();
        }
        return requests.flush()
                .chain(() -> requests.decisions(List.of(r.id)))
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
                    return receipts.insert(stored);
                }));
    }

    /** What is signed: the version line, then the payload, in UTF-8. */
    public static byte[] signedBytes(String payload) {
        return (ReceiptApi.VERSION + "\n" + payload).getBytes(StandardCharsets.UTF_8);
    }

    static Receipt receipt(ApprovalRequest r, ReceiptOutcome outcome, List<ApprovalDecision> decisions, String keyId) {
        Policy policy = r.policyRevision == null ? null
                : new Policy(r.policyRevision, r.policySha256 == null ? null : HEX.formatHex(r.policySha256));
        List<Decision> made = decisions.stream()
                .map(d -> new Decision(d.kind.wire(), new Party(d.principalId, d.principalName), micros(d.decidedAt), d.note)).toList();
        return new Receipt(ReceiptApi.VERSION, r.id, outcome.wire(), new Party(r.requesterId, r.requesterName), r.namespace, r.scope,
                List.of(r.secretPaths), r.tier.wire(), r.tokenTtlSeconds, r.description, policy, r.requiredApprovals, made,
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
