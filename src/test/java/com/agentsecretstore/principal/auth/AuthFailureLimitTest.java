package com.agentsecretstore.principal.auth;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.common.Problem;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Issue 11.12: failed sign-ins from one address write a bounded number of audit entries per window,
 * then get 429 with Retry-After; the window closes with one entry counting the rest.
 */
@QuarkusTest
class AuthFailureLimitTest {

    @Inject
    AuthFailureLimiter limiter;

    @ConfigProperty(name = "ass.auth.max-failures")
    int maxFailures;

    private static final String WRONG_KEY = "ass_" + "W".repeat(43);

    @BeforeEach
    @AfterEach
    void freshWindow() {
        limiter.closeWindow().await().atMost(Duration.ofSeconds(60));
    }

    private static long failuresAudited() {
        return Db.count("select count(*) from audit_entry where action = 'auth.failure' and details like '%unknown_key%'");
    }

    @Test
    void failuresOverTheLimitAre429WithRetryAfterAndWriteNothingUntilTheWindowCloses() {
        long before = failuresAudited();
        for (int i = 0; i < maxFailures; i++) {
            Api.as(WRONG_KEY).get("/v1/principals/me").then().statusCode(401);
        }
        int over = 7;
        for (int i = 0; i < over; i++) {
            Api.as(WRONG_KEY).get("/v1/principals/me").then().statusCode(429)
                    .contentType(startsWith(Problem.MEDIA_TYPE))
                    .header("Retry-After", notNullValue());
        }
        assertEquals(before + maxFailures, failuresAudited(), "only the first failures of a window are audited one by one");

        // A valid key from the same address is not refused: only failures are limited.
        Api.admin().get("/v1/principals/me").then().statusCode(200);

        long summaries = Db.count("select count(*) from audit_entry where action = 'auth.failure' "
                + "and details like '%rate_limited%' and details like ?", "%\"suppressed\":" + over + "%");
        limiter.closeWindow().await().atMost(Duration.ofSeconds(60));
        assertEquals(summaries + 1, Db.count("select count(*) from audit_entry where action = 'auth.failure' "
                + "and details like '%rate_limited%' and details like ?", "%\"suppressed\":" + over + "%"));

        // A new window audits failures again.
        Api.as(WRONG_KEY).get("/v1/principals/me").then().statusCode(401).body("status", equalTo(401));
    }
}
