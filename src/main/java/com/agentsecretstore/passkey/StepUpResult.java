package com.agentsecretstore.passkey;

import java.util.Locale;

/**
 * What checking a step-up assertion found: the passkey that made it, or why it was not accepted.
 * Approval rules turn a missing or invalid one into a refusal; this type only reports.
 */
public record StepUpResult(Verdict verdict, String passkeyId) {

    public enum Verdict {
        /** No assertion was presented. */
        ABSENT,
        VERIFIED,
        /** Not valid base64url, JSON or CBOR. */
        MALFORMED,
        /** No such challenge for this approver and request: never issued, used already, expired, or someone else's. */
        CHALLENGE_UNKNOWN,
        /** The credential is not one of this approver's passkeys. */
        UNKNOWN_PASSKEY,
        /** Signature, origin, relying party, type or user verification failed. */
        VERIFICATION_FAILED,
        /** The authenticator's counter did not grow: possibly a cloned authenticator. */
        COUNTER_REGRESSED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final StepUpResult ABSENT = new StepUpResult(Verdict.ABSENT, null);

    public static StepUpResult refused(Verdict v) {
        return new StepUpResult(v, null);
    }

    public boolean verified() {
        return verdict == Verdict.VERIFIED;
    }
}
