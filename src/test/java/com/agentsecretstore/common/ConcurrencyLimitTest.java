package com.agentsecretstore.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

    @Test
    void aKeyAtItsLimitIsRefusedWith429AndOtherKeysAreNot() {
        ConcurrencyLimit limit = new ConcurrencyLimit(() -> 2, "open feeds");
        limit.acquire("a");
        limit.acquire("a");
        ApiException refused = assertThrows(ApiException.class, () -> limit.acquire("a"));
        assertEquals(429, refused.status());
        limit.acquire("b");
        assertEquals(2, limit.held("a"));
    }

    @Test
    void aReleasedSlotCanBeTakenAgainAndReleasingTwiceCountsOnce() {
        ConcurrencyLimit limit = new ConcurrencyLimit(() -> 1, "open feeds");
        ConcurrencyLimit.Permit p = limit.acquire("a");
        p.release();
        p.release();
        assertEquals(0, limit.held("a"));
        limit.acquire("a");
        assertThrows(ApiException.class, () -> limit.acquire("a"));
    }
}
