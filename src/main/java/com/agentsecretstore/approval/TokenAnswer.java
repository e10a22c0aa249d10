package com.agentsecretstore.approval;

import java.util.Locale;

import com.agentsecretstore.token.TokenApi.TokenResponse;

/**
 * What the request command did with a token request, and the body to answer with. The transport
 * chooses its status from {@link Kind} (REST: 201, 202, 200).
 */
public record TokenAnswer(Kind kind, TokenResponse body) {

    public enum Kind {
        /** No approval needed: the token, with its value, was issued now. */
        ISSUED,
        /** An approval request was opened and its approvers notified. */
        OPENED,
        /** The same ask was already open: that request is the answer, and no one is notified again. */
        REPEATED;

        /** As column {@code idempotency_key.outcome} holds it. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind fromWire(String value) {
            for (Kind k : values()) {
                if (k.wire().equals(value)) {
                    return k;
                }
            }
            return null;
        }
    }

    @Override
    public String toString() {
        return "TokenAnswer[" + kind + ", " + body + "]";
    }
}
