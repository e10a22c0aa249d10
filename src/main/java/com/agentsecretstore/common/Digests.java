package com.agentsecretstore.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Fingerprints of several strings, for keys that must not collide by concatenation. */
public final class Digests {

    private Digests() {
    }

    /**
     * SHA-256 over the parts, each prefixed with its length (-1 for null), so ("ab", "c") and
     * ("a", "bc") differ, and so do null and "".
     */
    public static byte[] sha256(String... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
                d.update(ByteBuffer.allocate(4).putInt(part == null ? -1 : bytes.length).array());
                d.update(bytes);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
