package com.agentsecretstore.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Ids sort by the time they carry, which makes a time window of the audit listing a range of ids. */
class IdsTest {

    private static final long SEED = Long.getLong("agentsecretstore.test.seed", 20261201L);

    @Test
    void anIdCarriesTheMillisecondItIsGiven() {
        Random random = new Random(SEED);
        for (int i = 0; i < 10_000; i++) {
            long millis = random.nextLong(0, 1L << 48);
            String id = Ids.next("aud", Instant.ofEpochMilli(millis).plusNanos(random.nextInt(1_000_000)));
            assertEquals(30, id.length(), id);
            assertTrue(id.compareTo(Ids.floor("aud", millis)) >= 0, "at or after its own floor, seed " + SEED + ": " + id);
            assertTrue(id.compareTo(Ids.floor("aud", millis + 1)) < 0, "before the next millisecond's floor, seed " + SEED + ": " + id);
        }
    }

    @Test
    void floorsSortAsTheirTimes() {
        Random random = new Random(SEED);
        for (int i = 0; i < 10_000; i++) {
            long a = random.nextLong(0, 1L << 48);
            long b = random.nextLong(0, 1L << 48);
            assertEquals(Long.signum(Long.compare(a, b)), Integer.signum(Ids.floor("aud", a).compareTo(Ids.floor("aud", b))),
                    "seed " + SEED + ": " + a + " vs " + b);
        }
    }

    @Test
    void theFloorIsTheTimePartThenZeros() {
        long millis = 1_764_550_000_123L;
        String id = Ids.next("aud", Instant.ofEpochMilli(millis));
        assertEquals(id.substring(0, 14) + "0".repeat(16), Ids.floor("aud", millis));
    }
}
