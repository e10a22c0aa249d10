package com.agentsecretstore.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sealing order compares transaction ids as numbers, where their text would sort differently. */
class ChainKeyTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(longs = { 10L, 1_000L, 10_000_000L, 1_000_000_000_000L })
    void anIdWithOneDigitMoreComesAfter(long powerOfTen) {
        ChainKey before = ChainKey.of(Long.toString(powerOfTen - 1), "aud_b");
        ChainKey after = ChainKey.of(Long.toString(powerOfTen), "aud_a");
        assertTrue(before.compareTo(after) < 0);
        assertTrue(after.compareTo(before) > 0);
        assertTrue(Long.toString(powerOfTen - 1).compareTo(Long.toString(powerOfTen)) > 0, "text would sort them the other way");
    }

    @Test
    void theIdDecidesWithinOneTransaction() {
        assertTrue(ChainKey.of("1000", "aud_A").compareTo(ChainKey.of("1000", "aud_B")) < 0);
        assertEquals(0, ChainKey.of("1000", "aud_A").compareTo(ChainKey.of("1000", "aud_A")));
    }

    /** xid8 is unsigned: values above Long.MAX_VALUE still sort after smaller ones, and print back unchanged. */
    @Test
    void xidsAreUnsigned() {
        String huge = "18446744073709551000";
        ChainKey big = ChainKey.of(huge, "aud_a");
        assertTrue(ChainKey.of("9223372036854775807", "aud_a").compareTo(big) < 0);
        assertEquals(huge, big.xidText());
    }

    @Test
    void theStartComesBeforeEveryEntry() {
        assertTrue(ChainKey.START.compareTo(ChainKey.of("0", "aud_0")) < 0);
        assertTrue(ChainKey.START.compareTo(ChainKey.of("3", "")) < 0);
    }

    @Test
    void sortingGivesNumericOrderAcrossPowersOfTen() {
        List<ChainKey> expected = new ArrayList<>();
        for (long b = 10; b <= 100_000_000L; b *= 10) {
            for (long x = b - 2; x <= b + 1; x++) {
                expected.add(ChainKey.of(Long.toString(x), "aud_a"));
                expected.add(ChainKey.of(Long.toString(x), "aud_b"));
            }
        }
        List<ChainKey> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(42));
        Collections.sort(shuffled);
        assertEquals(expected, shuffled);
    }
}
