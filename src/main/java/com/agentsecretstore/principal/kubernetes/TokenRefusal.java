package com.agentsecretstore.principal.kubernetes;

import java.util.Locale;

/**
 * Why a service-account token was refused. Carries what the audit entry may say — the reason and
 * what the token claimed, unverified — and never the token.
 */
public class TokenRefusal extends RuntimeException {

    /** Audited as {@code reason}, in lower case. */
    public enum Reason {
        MALFORMED_TOKEN, UNKNOWN_ISSUER, DISALLOWED_ALGORITHM, UNKNOWN_KEY, BAD_SIGNATURE, WRONG_AUDIENCE, EXPIRED,
        NOT_YET_VALID, MISSING_CLAIMS, INVALID_TOKEN, UNBOUND_SERVICE_ACCOUNT, DISABLED_PRINCIPAL, NOT_AN_AGENT;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;
    private final String claimedIssuer;
    private final String claimedAlgorithm;

    TokenRefusal(Reason reason, String claimedIssuer, String claimedAlgorithm) {
        super(reason.wire(), null, false, false);
        this.reason = reason;
        this.claimedIssuer = claimedIssuer;
        this.claimedAlgorithm = claimedAlgorithm;
    }

    public Reason reason() {
        return reason;
    }

    public String claimedIssuer() {
        return claimedIssuer;
    }

    public String claimedAlgorithm() {
        return claimedAlgorithm;
    }
}
