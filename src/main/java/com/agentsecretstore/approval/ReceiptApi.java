package com.agentsecretstore.approval;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What a decision receipt holds and how {@code GET /v1/approvals/{id}/receipt} sends it. */
public final class ReceiptApi {

    /** The first line of the signed bytes, then a line feed, then the payload (see {@link ReceiptWriter}). */
    public static final String VERSION = "ass.approval.receipt.v1";

    private ReceiptApi() {
    }

    /**
     * The signed content. Every field is always present (null when it does not apply), in this order.
     * {@code outcome} is {@code issued}, {@code denied}, {@code cancelled} or {@code expired};
     * {@code decisions} lists every approval, the denial or the cancellation, oldest first;
     * {@code policy} is null for requests made before receipts existed.
     */
    @RegisterForReflection  // serialized by ReceiptWriter, not by a REST method: native-image must be told
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({ "version", "request_id", "outcome", "requester", "namespace", "scope", "secret_paths", "tier",
            "ttl_seconds", "description", "policy", "required_approvals", "decisions", "delay_seconds", "issue_at",
            "token_id", "created_at", "ended_at", "key_id" })
    public record Receipt(String version, String requestId, String outcome, Party requester, String namespace, String scope,
            List<String> secretPaths, String tier, int ttlSeconds, String description, Policy policy, int requiredApprovals,
            List<Decision> decisions, int delaySeconds, Instant issueAt, String tokenId, Instant createdAt, Instant endedAt,
            String keyId) {
    }

    @RegisterForReflection
    @JsonPropertyOrder({ "id", "name" })
    public record Party(String id, String name) {
    }

    /** The policy revision that applied and the SHA-256 (hex) of its stored text; revision 0: the built-in default. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({ "revision", "sha256" })
    public record Policy(int revision, String sha256) {
    }

    /** {@code kind} is {@code approve}, {@code deny} or {@code cancel}; {@code note} the comment or reason. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({ "kind", "by", "at", "note" })
    public record Decision(String kind, Party by, Instant at, String note) {
    }

    /**
     * The receipt as served: {@code payload} is the signed JSON text, the receipt itself (verify it,
     * then parse it: it is deliberately not repeated as parsed JSON, which would invite reading an
     * unverified copy); {@code signature} is Ed25519, base64, over {@code "ass.approval.receipt.v1\n"
     * + payload} in UTF-8, by the key {@code key_id} of {@code GET /v1/audit/public-key}.
     */
    public record ReceiptView(String requestId, String algorithm, String keyId, String signature, String payload) {
    }
}
