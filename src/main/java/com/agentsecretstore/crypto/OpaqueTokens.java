package com.agentsecretstore.crypto;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Owns the format of API keys and tokens: a type prefix followed by 256 random bits in base62,
 * always {@link #BODY_LENGTH} characters long. Only their SHA-256 is ever stored; the plaintext
 * exists in the one response that issues it.
 */
public final class OpaqueTokens {

    /** Length of the random part after the prefix: the fewest base62 digits that hold 256 bits. */
    public static final int BODY_LENGTH = 43;
    /** How many characters of the random part {@link #displayPrefix} shows. */
    public static final int DISPLAY_CHARS = 4;

    private static final int RANDOM_BYTES = 32;
    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final BigInteger RADIX = BigInteger.valueOf(BASE62.length);
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpaqueTokens() {
    }

    /** A new token: {@code prefix} followed by {@link #BODY_LENGTH} base62 characters. */
    public static String generate(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        byte[] raw = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(raw);
        return prefix + base62(raw);
    }

    /**
     * SHA-256 of the UTF-8 token. No salt is needed: the token carries 256 random bits, so there is
     * no dictionary to precompute, and an unsalted hash lets a presented token be looked up directly.
     */
    public static byte[] hash(String token) {
        Objects.requireNonNull(token, "token");
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code presented} hashes to {@code storedHash}, compared in constant time. */
    public static boolean matches(byte[] storedHash, String presented) {
        if (storedHash == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(storedHash, hash(presented));
    }

    /**
     * The type prefix plus the first {@link #DISPLAY_CHARS} random characters ({@code ass_Ab3x}), so
     * that keys can be told apart in listings without being revealed. The random part has a fixed
     * length, which is how the prefix is found without knowing it.
     *
     * @throws IllegalArgumentException if {@code token} is too short to be a generated token
     */
    public static String displayPrefix(String token) {
        Objects.requireNonNull(token, "token");
        // The type prefix ends at the first '_' (ass_, ast_); configured keys may be longer than
        // generated ones, so the prefix is found by its separator, not by the length.
        int start = token.indexOf('_') + 1;
        if (start == 0 || token.length() - start < BODY_LENGTH - 11) {
            throw new IllegalArgumentException("not a generated token");
        }
        return token.substring(0, start + DISPLAY_CHARS);
    }

    /** Fixed-width base62, most significant digit first, left-padded with '0'. */
    static String base62(byte[] raw) {
        if (raw.length > RANDOM_BYTES) {
            throw new IllegalArgumentException("at most " + RANDOM_BYTES + " bytes fit in " + BODY_LENGTH + " digits");
        }
        BigInteger value = new BigInteger(1, raw);
        char[] digits = new char[BODY_LENGTH];
        for (int i = BODY_LENGTH - 1; i >= 0; i--) {
            BigInteger[] quotientAndRemainder = value.divideAndRemainder(RADIX);
            digits[i] = BASE62[quotientAndRemainder[1].intValue()];
            value = quotientAndRemainder[0];
        }
        return new String(digits);
    }
}
