package com.agentsecretstore.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** SHA-256 fingerprints: of one text, of several strings that must not collide by concatenation, of a bearer credential. */
public final class Digests {

    private Digests() {
    }

    /**
     * SHA-256 over the parts, each prefixed with its length (-1 for null), so ("ab", "c") and
     * ("a", "bc") differ, and so do null and "".
     */
    public static byte[] sha256(String... parts) {
        MessageDigest d = newSha256();
        for (String part : parts) {
            byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
            d.update(ByteBuffer.allocate(4).putInt(part == null ? -1 : bytes.length).array());
            d.update(bytes);
        }
        return d.digest();
    }

    /** SHA-256 of the text's UTF-8 bytes. */
    public static byte[] sha256Of(String text) {
        return newSha256().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The key under which a verified bearer token is cached: its SHA-256, so that a heap dump of the
     * cache holds no usable token.
     */
    public static String bearerKey(String token) {
        return Base64.getEncoder().encodeToString(sha256Of(token));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
