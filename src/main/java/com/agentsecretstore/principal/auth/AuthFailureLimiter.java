package com.agentsecretstore.principal.auth;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.principal.Caller;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.smallrye.mutiny.Uni;

/**
 * Bounds what failed sign-ins can write (issue 11.12: 13,504 {@code auth.failure} rows in 10 s).
 * Per source address and fixed window, the first {@code ass.auth.max-failures} failures are
 * audited one by one and answered 401; the rest are answered 429 with {@code Retry-After} and only
 * counted, and when the window closes each source that went over gets one {@code auth.failure}
 * entry with the count. A valid key is never refused here: only failures count and only failures
 * are limited, so an attacker sharing an address cannot lock anyone out.
 *
 * <p>In memory, per replica. The map holds at most {@code ass.auth.max-tracked-sources} addresses;
 * sources beyond that share one overflow counter, so memory and audit writes stay bounded even
 * against many addresses.
 */
@ApplicationScoped
public class AuthFailureLimiter {

    /** The counter key of sources that did not fit in the map. */
    static final String OVERFLOW = "*";

    /** What to do with one failure: audit it, or refuse it for {@code retryAfterSeconds}. */
    public record Verdict(boolean limited, long retryAfterSeconds) {
    }

    private static final class Counter {
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger suppressed = new AtomicInteger();
    }

    private final AuditLog audit;
    private final Clock clock;
    private final AssConfig.Auth config;
    private final long windowMillis;
    private volatile ConcurrentHashMap<String, Counter> sources = new ConcurrentHashMap<>();
    private volatile long windowStart;

    public AuthFailureLimiter(AuditLog audit, Clock clock, AssConfig config) {
        this.audit = audit;
        this.clock = clock;
        this.config = config.auth();
        this.windowMillis = this.config.failureWindow().toMillis();
        this.windowStart = clock.millis();
    }

    /** Counts one failed sign-in from {@code source} (null when unknown). */
    public Verdict failure(String source) {
        Map<String, Counter> current = sources;
        String key = source == null ? "unknown" : source;
        Counter c = current.get(key);
        if (c == null) {
            key = current.size() >= config.maxTrackedSources() ? OVERFLOW : key;
            c = current.computeIfAbsent(key, k -> new Counter());
        }
        if (c.failures.incrementAndGet() <= config.maxFailures()) {
            return new Verdict(false, 0);
        }
        c.suppressed.incrementAndGet();
        long left = windowStart + windowMillis - clock.millis();
        return new Verdict(true, Math.max(1, (left + 999) / 1000));
    }

    /**
     * Closes the window: starts fresh counters and writes one entry per source that went over the
     * limit, with how many failures were not audited one by one.
     */
    @Scheduled(identity = "auth-failure-window", every = "${ass.auth.failure-window:60s}",
            concurrentExecution = ConcurrentExecution.SKIP)
    public Uni<Void> closeWindow() {
        Map<String, Counter> closed = sources;
        sources = new ConcurrentHashMap<>();
        windowStart = clock.millis();
        List<AuditEvent> summaries = new ArrayList<>();
        closed.forEach((source, c) -> {
            int suppressed = c.suppressed.get();
            if (suppressed > 0) {
                Caller actor = new Caller(null, null, null, List.of(), null, OVERFLOW.equals(source) ? null : source);
                summaries.add(new AuditEvent(AuditAction.AUTH_FAILURE, AuditEvent.Outcome.DENIED, actor, null, null, null,
                        Map.of("reason", "rate_limited", "suppressed", suppressed, "window_seconds", config.failureWindow().toSeconds(),
                                "overflow", OVERFLOW.equals(source))));
            }
        });
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (AuditEvent e : summaries) {
            chain = chain.chain(() -> audit.appendAlone(e));
        }
        return chain;
    }
}
