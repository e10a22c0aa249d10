package com.agentsecretstore.notify;

import java.time.Duration;

/**
 * What one send of an outbox row came to, as its channel saw it; {@link Outcome#after} turns it into
 * the row's next state.
 *
 * @param result     delivered, failed (retried while the schedule has attempts left) or refused
 *                   (given up at once: retrying cannot help)
 * @param code       the receiver's status code, when the channel has one
 * @param error      why it failed, short and free of secrets (it is stored and shown)
 * @param retryAfter how long the receiver asked to be left alone, or null
 */
record Attempt(Result result, Integer code, String error, Duration retryAfter) {

    enum Result {
        DELIVERED, FAILED, REFUSED
    }

    static Attempt delivered(Integer code) {
        return new Attempt(Result.DELIVERED, code, null, null);
    }

    static Attempt failed(Integer code, String error, Duration retryAfter) {
        return new Attempt(Result.FAILED, code, error, retryAfter);
    }

    static Attempt refused(Integer code, String error) {
        return new Attempt(Result.REFUSED, code, error, null);
    }
}
