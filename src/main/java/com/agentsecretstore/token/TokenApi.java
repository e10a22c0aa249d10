package com.agentsecretstore.token;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Bodies of {@code /v1/tokens} and of reading a secret value. */
public final class TokenApi {

    private TokenApi() {
    }

    /**
     * A token request: the one input of the request command, whatever the transport (REST, MCP).
     * {@code maxUses}: reads the token allows (none: no limit); {@code runId}: free text the agent
     * sets, e.g. its task id, part of what makes a repeated ask the same ask.
     */
    public record TokenRequest(String scope, Integer ttlSeconds, String description, Integer maxUses, String runId) {

        /** JSON binds to all five fields (the short constructor is for callers in code). */
        @JsonCreator
        public TokenRequest {
        }

        /** An ask without a read limit or run id. */
        public TokenRequest(String scope, Integer ttlSeconds, String description) {
            this(scope, ttlSeconds, description, null, null);
        }
    }

    /**
     * The answer to a token request: {@code approved} with the token ({@code value} appears only
     * here and in a collection), or {@code pending} with the approval request to wait for. Also
     * read back from JSON (the kept answer of an Idempotency-Key), hence registered for reflection.
     */
    @RegisterForReflection
    public record TokenResponse(String status, String value, String tokenId, String approvalRequestId, String scope,
            String tier, Integer requiredApprovals, Instant expiresAt, Integer maxUses, String runId) {

        public static TokenResponse approved(String value, Token t) {
            return new TokenResponse("approved", value, t.id, t.requestId, t.scope, t.tier.wire(), null, t.expiresAt, t.maxUses, null);
        }

        /** An open approval request, {@code status} pending or delayed (a repeated ask may find it delayed). */
        public static TokenResponse open(String status, String requestId, String scope, String tier, int requiredApprovals,
                Instant expiresAt, Integer maxUses, String runId) {
            return new TokenResponse(status, null, null, requestId, scope, tier, requiredApprovals, expiresAt, maxUses, runId);
        }

        /** The same answer without the token value, which is never kept. */
        public TokenResponse withoutValue() {
            return new TokenResponse(status, null, tokenId, approvalRequestId, scope, tier, requiredApprovals, expiresAt,
                    maxUses, runId);
        }

        @Override
        public String toString() {
            return "TokenResponse[" + status + ", " + tokenId + "]";
        }
    }

    /** A token's metadata, never its value. {@code remainingUses} is absent for a token without a read limit. */
    public record TokenView(String id, String principalId, String scope, String tier, Instant issuedAt,
            Instant expiresAt, Instant revokedAt, String approvalRequestId, Integer maxUses, int uses, Integer remainingUses) {
        static TokenView of(Token t) {
            return new TokenView(t.id, t.principalId, t.scope, t.tier.wire(), t.issuedAt, t.expiresAt, t.revokedAt, t.requestId,
                    t.maxUses, t.uses, t.maxUses == null ? null : Math.max(0, t.maxUses - t.uses));
        }
    }

    public record SecretValue(String path, int version, String tier, String value) {
        @Override
        public String toString() {
            return "SecretValue[" + path + " v" + version + "]";
        }
    }
}
