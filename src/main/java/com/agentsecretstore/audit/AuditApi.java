package com.agentsecretstore.audit;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** What the audit endpoints send and receive. Entities never leave the service. */
public final class AuditApi {

    private AuditApi() {
    }

    /** The filters of {@code GET /v1/audit}, exactly as the client sent them; {@link AuditFilter} validates. */
    public record ListQuery(String actor, String namespace, String path, String action, String outcome, String from,
            String to, String limit, String cursor) {
    }

    /**
     * One audit entry. {@code details} is the JSON object that was recorded; the chain fields are
     * absent until the sealer has linked the entry ({@code sealed} false).
     */
    public record EntryView(String id, Instant recordedAt, String action, String outcome, ActorView actor,
            String sourceIp, String namespace, String path, String targetId, JsonNode details, Long chainSeq,
            String prevHash, String entryHash, boolean sealed) {
    }

    /** Who acted: a principal, or {@code system} for work the service did on its own behalf. */
    public record ActorView(String id, String name, String role) {
    }

    /**
     * The outcome of walking the whole chain. {@code checked} counts sealed entries examined (up to
     * and including a broken one); {@code unsealed} counts entries not linked yet; {@code head} is the
     * last intact entry, worth recording outside the database (see {@link AuditChain.Walk}).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record VerifyResult(boolean valid, long checked, long unsealed, @Schema(nullable = true) BrokenView firstBroken,
            @Schema(nullable = true) HeadView head, @Schema(nullable = true) Boolean checkpointMatched) {
    }

    /**
     * The first entry that does not follow from the chain before it, or the first seal whose
     * signature fails ({@code sealSeq} set; {@code id} is then its first entry).
     */
    public record BrokenView(String id, Long chainSeq, Long sealSeq, String reason) {
    }

    /**
     * A previously exported checkpoint to compare the chain with ({@code GET /v1/audit/verify?chain_seq=&entry_hash=}),
     * exactly as the client sent it; {@link AuditService} validates.
     */
    public record CheckpointQuery(String chainSeq, String entryHash) {
    }

    /**
     * The signed head of the chain: the newest seal's {@link SealStatement} fields and its Ed25519
     * {@code signature} (base64), for anchoring outside the service.
     */
    public record Checkpoint(long sealSeq, long firstSeq, long chainSeq, String prevHash, String entryHash, String sealedAt,
            String keyId, String algorithm, String signature) {
    }

    /** The keys that verify seals and receipts; {@code activeKeyId} signs new ones. */
    public record PublicKeys(String algorithm, String activeKeyId, List<PublicKeyView> keys) {
    }

    /** One key: {@code publicKey} is the raw 32-byte Ed25519 key (RFC 8032), base64. */
    public record PublicKeyView(String keyId, String publicKey, Instant createdAt, Instant retiredAt, boolean active) {
    }

    public record HeadView(long chainSeq, String entryHash) {
    }
}
