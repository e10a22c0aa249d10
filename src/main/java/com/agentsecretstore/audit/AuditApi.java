package com.agentsecretstore.audit;

import java.time.Instant;

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
    public record VerifyResult(boolean valid, long checked, long unsealed, BrokenView firstBroken, HeadView head) {
    }

    /** The first entry that does not follow from the chain before it. */
    public record BrokenView(String id, Long chainSeq, String reason) {
    }

    public record HeadView(long chainSeq, String entryHash) {
    }
}
