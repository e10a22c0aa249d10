package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theDefaultIsTheStandardWebhooksScheduleOfTenAttempts() {
        RetrySchedule s = RetrySchedule.parse(RetrySchedule.DEFAULT);
        assertEquals(10, s.attempts());
        assertEquals(NOW, s.next(0, NOW, null));
        assertWithinJitter(Duration.ofSeconds(5), s.next(1, NOW, null));
        assertWithinJitter(Duration.ofMinutes(5), s.next(2, NOW, null));
        assertWithinJitter(Duration.ofHours(24), s.next(9, NOW, null));
    }

    @Test
    void afterTheLastAttemptThereIsNoNext() {
        assertNull(RetrySchedule.parse("0s,1s").next(2, NOW, null));
    }

    @Test
    void retryAfterIsHonouredWhenLonger() {
        RetrySchedule s = RetrySchedule.parse("0s,5s");
        assertEquals(NOW.plusSeconds(120), s.next(1, NOW, Duration.ofSeconds(120)));
        assertWithinJitter(Duration.ofSeconds(5), s.next(1, NOW, Duration.ofSeconds(1)));
    }

    @Test
    void retryAfterHeaderAcceptsSecondsAndIgnoresGarbage() {
        assertEquals(Duration.ofSeconds(30), WebhookDispatcher.retryAfter("30"));
        assertNull(WebhookDispatcher.retryAfter("soon"));
        assertNull(WebhookDispatcher.retryAfter(null));
    }

    private static void assertWithinJitter(Duration expected, Instant actual) {
        long ms = Duration.between(NOW, actual).toMillis();
        assertTrue(ms >= expected.toMillis() * 0.8 && ms <= expected.toMillis() * 1.2, ms + " ms");
    }
}
