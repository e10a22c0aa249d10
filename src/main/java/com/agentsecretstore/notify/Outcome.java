package com.agentsecretstore.notify;

import java.time.Instant;

/**
 * The state an outbox row is left in after an attempt: the one retry and give-up rule of every
 * channel. A delivered row is done; a refused one has failed for good; a failed one is due again
 * when the channel's {@link RetrySchedule} says (a longer {@code Retry-After} wins), or has failed
 * for good once the schedule has no attempt left.
 *
 * @param next when the row is due again ({@link DeliveryState#PENDING} only), else null
 */
record Outcome(DeliveryState state, Integer code, String error, Instant next) {

    /**
     * @param attemptsMade attempts counted on the row, this one included (the claim counts it)
     */
    static Outcome after(Attempt attempt, int attemptsMade, RetrySchedule schedule, Instant now) {
        return switch (attempt.result()) {
            case DELIVERED -> new Outcome(DeliveryState.DELIVERED, attempt.code(), null, null);
            case REFUSED -> new Outcome(DeliveryState.FAILED, attempt.code(), attempt.error(), null);
            case FAILED -> {
                Instant next = schedule.next(attemptsMade, now, attempt.retryAfter());
                yield next == null
                        ? new Outcome(DeliveryState.FAILED, attempt.code(), attempt.error(), null)
                        : new Outcome(DeliveryState.PENDING, attempt.code(), attempt.error(), next);
            }
        };
    }

    /** Whether the row will not be tried again (short of a manual redelivery). */
    boolean gaveUp() {
        return state == DeliveryState.FAILED;
    }
}
