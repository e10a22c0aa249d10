package com.agentsecretstore.common;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;

/**
 * Identifiers: a type prefix plus a ULID (48-bit millisecond time, 80 random bits, Crockford
 * base32), so ids sort by creation time and can serve as paging cursors.
 */
public final class Ids {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String next(String prefix) {
        return prefix + "_" + ulid(System.currentTimeMillis());
    }

    /** An id whose time part is {@code at} (to the millisecond), for rows whose id must carry their own time. */
    public static String next(String prefix, Instant at) {
        return prefix + "_" + ulid(at.toEpochMilli());
    }

    /**
     * The smallest id of this prefix made at or after {@code millis}: ids made at {@code millis} or later
     * sort at or after it, earlier ones before it.
     */
    public static String floor(String prefix, long millis) {
        char[] out = new char[26];
        Arrays.fill(out, ALPHABET[0]);
        timePart(millis, out);
        return prefix + "_" + new String(out);
    }

    private static void timePart(long millis, char[] out) {
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
    }

    static String ulid(long millis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        char[] out = new char[26];
        timePart(millis, out);
        // 80 random bits as 16 base32 characters
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (random[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }
}
