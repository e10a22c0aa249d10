package com.agentsecretstore.token;

import java.time.Instant;

/** Bodies of {@code /v1/tokens} and of reading a secret value. */
public final class TokenApi {

    private TokenApi() {
    }

    public record TokenRequest(String scope, Integer ttlSeconds, String description) {
    }

    /**
     * The answer to a token request: {@code approved} with the token ({@code value} appears only
     * here and in a collection), or {@code pending} with the approval request to wait for.
     */
    public record TokenResponse(String status, String value, String tokenId, String approvalRequestId, String scope,
            String tier, Integer requiredApprovals, Instant expiresAt) {

        public static TokenResponse approved(String value, Token t) {
            return new TokenResponse("approved", value, t.id, t.requestId, t.scope, t.tier, null, t.expiresAt);
        }

        public static TokenResponse pending(String requestId, String scope, String tier, int requiredApprovals,
                Instant expiresAt) {
            return new TokenResponse("pending", null, null, requestId, scope, tier, requiredApprovals, expiresAt);
        }

        @Override
        public String toString() {
            return "TokenResponse[" + status + ", " + tokenId + "]";
        }
    }

    public record TokenView(String id, String principalId, String scope, String tier, Instant issuedAt,
            Instant expiresAt, Instant revokedAt, String approvalRequestId) {
        static TokenView of(Token t) {
            return new TokenView(t.id, t.principalId, t.scope, t.tier, t.issuedAt, t.expiresAt, t.revokedAt, t.requestId);
        }
    }

    public record SecretValue(String path, int version, String tier, String value) {
        @Override
        public String toString() {
            return "SecretValue[" + path + " v" + version + "]";
        }
    }
}
