package com.agentsecretstore.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a delivery again. Attempt n (1-based) waits {@code delays[n]} after attempt n-1,
 * with ±20 % jitter so that a receiver coming back is not hit by every sender at once; a
 * {@code Retry-After} from the receiver is honoured when it asks for longer. After the last delay
 * the delivery has failed.
 */
public final class RetrySchedule {

    /** The Standard Webhooks example schedule. */
    public static final String DEFAULT = "0s,5s,5m,30m,2h,5h,10h,14h,20h,24h";

    private final List<Duration> delays;

    private RetrySchedule(List<Duration> delays) {
        this.delays = List.copyOf(delays);
    }

    /** Parses {@code 0s,5s,5m,2h,1d} (units ms, s, m, h, d). */
    public static RetrySchedule parse(String spec) {
        List<Duration> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            out.add(parseDuration(p));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("a retry schedule needs at least one entry");
        }
        return new RetrySchedule(out);
    }

    static Duration parseDuration(String p) {
        String unit = p.endsWith("ms") ? "ms" : p.substring(p.length() - 1);
        long n = Long.parseLong(p.substring(0, p.length() - unit.length()));
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unknown unit in " + p);
        };
    }

    /** How many attempts in all. */
    public int attempts() {
        return delays.size();
    }

    /**
     * When to make the next attempt after {@code attemptsMade} failed ones, or null when none is
     * left.
     */
    public Instant next(int attemptsMade, Instant now, Duration retryAfter) {
        if (attemptsMade >= delays.size()) {
            return null;
        }
        Duration base = delays.get(attemptsMade);
        long jitterRange = base.toMillis() / 5;
        long jitter = jitterRange == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterRange, jitterRange + 1);
        Duration wait = base.plusMillis(jitter);
        if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
            wait = retryAfter;
        }
        return now.plus(wait);
    }
}
