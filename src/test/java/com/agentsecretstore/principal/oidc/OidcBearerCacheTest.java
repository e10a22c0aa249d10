package com.agentsecretstore.principal.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/** Only a token verified before, byte for byte and unexpired, is found; nothing of its request is kept. */
class OidcBearerCacheTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static final class MovableClock extends Clock {
        Instant now = NOW;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static SecurityIdentity verified() {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("sub-1"))
                .addAttribute(RoutingContext.class.getName(), "the first request")
                .addAttribute("tenant-id", "Default").build();
    }

    @Test
    void aVerifiedTokenIsFoundUntilItExpiresThenDropped() {
        MovableClock clock = new MovableClock();
        OidcBearerCache cache = new OidcBearerCache(clock);
        cache.remember("header.payload.sig", verified(), NOW.plusSeconds(60));

        SecurityIdentity found = cache.verified("header.payload.sig").orElseThrow();
        assertEquals("sub-1", found.getPrincipal().getName());
        assertEquals("Default", found.getAttribute("tenant-id"));
        assertNull(found.getAttribute(RoutingContext.class.getName()), "a later request must not see the first one's context");
        assertEquals(Boolean.TRUE, found.getAttribute(OidcBearerCache.FROM_CACHE));

        assertFalse(cache.verified("header.payload.sig2").isPresent(), "another token is verified by quarkus-oidc");
        clock.now = NOW.plus(Duration.ofSeconds(60));
        assertFalse(cache.verified("header.payload.sig").isPresent());
        assertEquals(0, cache.cached());
    }

    @Test
    void anExpiredTokenIsNotRemembered() {
        OidcBearerCache cache = new OidcBearerCache(new MovableClock());
        cache.remember("t", verified(), NOW);
        assertFalse(cache.verified("t").isPresent());
    }

    @Test
    void aFullCacheMakesRoomOnlyByDroppingWhatExpired() {
        MovableClock clock = new MovableClock();
        OidcBearerCache cache = new OidcBearerCache(clock);
        for (int i = 0; i < OidcBearerCache.MAX_ENTRIES; i++) {
            cache.remember("t" + i, verified(), NOW.plusSeconds(i < 10 ? 1 : 600));
        }
        cache.remember("new", verified(), NOW.plusSeconds(600));
        assertFalse(cache.verified("new").isPresent(), "full of live tokens: nothing more is cached");

        clock.now = NOW.plusSeconds(2);
        cache.remember("new", verified(), NOW.plusSeconds(600));
        assertTrue(cache.verified("new").isPresent());
        assertEquals(OidcBearerCache.MAX_ENTRIES - 10 + 1, cache.cached());
    }
}
