package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The one retry and give-up rule every outbox channel records its attempts by. */
class OutcomeTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    /** Three attempts in all: at once, 10 s after the first, 1 min after the second (±20 % jitter). */
    static final RetrySchedule SCHEDULE = RetrySchedule.parse("0s,10s,1m");

    @Test
    void aDeliveredAttemptIsDoneWhateverTheCount() {
        Outcome o = Outcome.after(Attempt.delivered(204), 3, SCHEDULE, NOW);
        assertEquals(DeliveryState.DELIVERED, o.state());
        assertEquals(204, o.code());
        assertNull(o.error());
        assertNull(o.next());
        assertFalse(o.gaveUp());
    }

    @Test
    void aFailedAttemptWithAttemptsLeftIsPendingAtTheScheduledDelay() {
        Outcome o = Outcome.after(Attempt.failed(500, "HTTP 500", null), 1, SCHEDULE, NOW);
        assertEquals(DeliveryState.PENDING, o.state());
        assertEquals(500, o.code());
        assertEquals("HTTP 500", o.error());
        assertBetween(NOW.plusSeconds(8), NOW.plusSeconds(12), o.next());
        assertFalse(o.gaveUp());
    }

    @Test
    void theNextDelayFollowsTheAttemptsAlreadyMade() {
        Outcome o = Outcome.after(Attempt.failed(null, "SMTP: ConnectException", null), 2, SCHEDULE, NOW);
        assertEquals(DeliveryState.PENDING, o.state());
        assertBetween(NOW.plusSeconds(48), NOW.plusSeconds(72), o.next());
    }

    @Test
    void aFailedLastScheduledAttemptGivesUp() {
        Outcome o = Outcome.after(Attempt.failed(503, "HTTP 503", null), 3, SCHEDULE, NOW);
        assertEquals(DeliveryState.FAILED, o.state());
        assertEquals(503, o.code());
        assertEquals("HTTP 503", o.error());
        assertNull(o.next());
        assertTrue(o.gaveUp());
    }

    @Test
    void aLongerRetryAfterFromTheReceiverWins() {
        Outcome o = Outcome.after(Attempt.failed(429, "HTTP 429", Duration.ofHours(1)), 1, SCHEDULE, NOW);
        assertEquals(NOW.plus(Duration.ofHours(1)), o.next());
    }

    @Test
    void aShorterRetryAfterDoesNotHurry() {
        Outcome o = Outcome.after(Attempt.failed(429, "HTTP 429", Duration.ofSeconds(1)), 1, SCHEDULE, NOW);
        assertBetween(NOW.plusSeconds(8), NOW.plusSeconds(12), o.next());
    }

    @Test
    void aRefusedAttemptGivesUpAtOnceWithAttemptsLeft() {
        Outcome o = Outcome.after(Attempt.refused(410, "410 Gone: webhook disabled"), 1, SCHEDULE, NOW);
        assertEquals(DeliveryState.FAILED, o.state());
        assertEquals(410, o.code());
        assertEquals("410 Gone: webhook disabled", o.error());
        assertNull(o.next());
        assertTrue(o.gaveUp());
    }

    private static void assertBetween(Instant from, Instant to, Instant actual) {
        assertTrue(!actual.isBefore(from) && !actual.isAfter(to), actual + " within [" + from + ", " + to + "]");
    }
}
