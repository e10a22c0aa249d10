package com.agentsecretstore.common;

import java.util.Map;

/**
 * A 429: the caller is over a limit. The problem carries {@code retry_after_seconds}, and
 * {@link ProblemMapper} adds the {@code Retry-After} header.
 */
public class RateLimitedException extends ApiException {

    private final long retryAfterSeconds;

    public RateLimitedException(String detail, long retryAfterSeconds) {
        super(ProblemType.RATE_LIMITED, detail, null, Map.of("retry_after_seconds", retryAfterSeconds));
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
