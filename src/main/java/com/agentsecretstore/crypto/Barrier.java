package com.agentsecretstore.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Owns all encryption in the service; it is the only class that uses {@link Cipher}.
 *
 * <p>Envelope encryption: every {@link #seal} draws a fresh 256-bit data key, encrypts the value
 * with it (AES-256-GCM, associated data = path and version) and wraps the data key with the active
 * master key (AES-256-GCM, associated data = master key id, path and version). A stored value
 * therefore only opens at the path and version it was sealed for, and a wrapped key only under the
 * master key it names. Rotating the master key needs only {@link #rewrap}: the value ciphertext and
 * its data key stay the same.
 *
 * <p>Both stored byte strings have the layout {@code 0x01 || nonce (12) || ciphertext || tag (16)};
 * the leading byte is the format version, so a later format can be told apart from this one.
 *
 * <p>Thread-safe: a new {@link Cipher} is made per operation and {@link SecureRandom} is thread-safe.
 */
public final class Barrier {

    static final byte FORMAT_V1 = 0x01;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int DATA_KEY_BYTES = 32;
    private static final int HEADER_BYTES = 1 + NONCE_BYTES;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    // Distinct labels keep the two kinds of associated data from ever being equal, so a wrapped key
    // can never pass for a value or the other way round, whatever the path.
    private static final byte PURPOSE_VALUE = 'V';
    private static final byte PURPOSE_DATA_KEY = 'K';

    private final MasterKeyring keyring;
    private final SecureRandom random;

    public Barrier(MasterKeyring keyring, SecureRandom random) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Encrypts {@code plaintext} for {@code path} at {@code version} under the active master key. */
    public Sealed seal(String path, int version, byte[] plaintext) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(plaintext, "plaintext");
        String masterKeyId = keyring.activeId();
        // A data key encrypts exactly one value, so its random nonce can never repeat under it.
        byte[] dataKey = new byte[DATA_KEY_BYTES];
        random.nextBytes(dataKey);
        try {
            byte[] ciphertext = encrypt(aesKey(dataKey), plaintext, valueAad(path, version));
            byte[] wrappedKey = encrypt(keyring.activeKey(), dataKey, dataKeyAad(masterKeyId, path, version));
            return new Sealed(masterKeyId, wrappedKey, ciphertext);
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot seal " + describe(path, version, masterKeyId), e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * Decrypts a value sealed for {@code path} at {@code version}.
     *
     * @throws BarrierException if anything about the value, its wrapped key, its master key id, the
     *     path or the version is not exactly what was sealed; nothing is returned in that case
     */
    public byte[] open(String path, int version, Sealed sealed) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sealed, "sealed");
        byte[] dataKey = unwrap("open", path, version, sealed);
        try {
            return decrypt(aesKey(dataKey), sealed.ciphertext(), valueAad(path, version));
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot open " + describe(path, version, sealed.masterKeyId()), e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * Re-wraps the data key under the active master key. The value ciphertext is carried over
     * unchanged. A value already under the active key is returned as is.
     *
     * @throws BarrierException if the wrapped key does not open under the master key it names
     */
    public Sealed rewrap(String path, int version, Sealed sealed) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sealed, "sealed");
        if (!needsRewrap(sealed)) {
            return sealed;
        }
        String activeId = keyring.activeId();
        byte[] dataKey = unwrap("rewrap", path, version, sealed);
        try {
            byte[] wrappedKey = encrypt(keyring.activeKey(), dataKey, dataKeyAad(activeId, path, version));
            return new Sealed(activeId, wrappedKey, sealed.ciphertext());
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot rewrap " + describe(path, version, activeId), e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** Id of the master key that {@link #seal} and {@link #rewrap} wrap data keys with. */
    public String activeKeyId() {
        return keyring.activeId();
    }

    /** Ids of every configured master key, the active one included. */
    public java.util.Set<String> keyIds() {
        return keyring.ids();
    }

    /** True when the value's data key is wrapped by a master key other than the active one. */
    public boolean needsRewrap(Sealed sealed) {
        return !keyring.activeId().equals(sealed.masterKeyId());
    }

    private byte[] unwrap(String operation, String path, int version, Sealed sealed) {
        String masterKeyId = sealed.masterKeyId();
        SecretKey masterKey = keyring.key(masterKeyId);
        if (masterKey == null) {
            // Said plainly because it is an operator's mistake (a key retired before its values
            // were rewrapped), not something an attacker learns from.
            throw new BarrierException("cannot " + operation + " " + describe(path, version, masterKeyId)
                    + ": that master key is not in the keyring");
        }
        try {
            byte[] dataKey = decrypt(masterKey, sealed.wrappedKey(), dataKeyAad(masterKeyId, path, version));
            if (dataKey.length != DATA_KEY_BYTES) {
                Arrays.fill(dataKey, (byte) 0);
                throw new GeneralSecurityException("unwrapped data key has the wrong length");
            }
            return dataKey;
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot " + operation + " " + describe(path, version, masterKeyId), e);
        }
    }

    private byte[] encrypt(SecretKey key, byte[] plaintext, byte[] aad) throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        cipher.updateAAD(aad);
        byte[] out = new byte[HEADER_BYTES + cipher.getOutputSize(plaintext.length)];
        out[0] = FORMAT_V1;
        System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
        cipher.doFinal(plaintext, 0, plaintext.length, out, HEADER_BYTES);
        return out;
    }

    private static byte[] decrypt(SecretKey key, byte[] stored, byte[] aad) throws GeneralSecurityException {
        if (stored.length < HEADER_BYTES + TAG_BYTES) {
            throw new GeneralSecurityException("stored bytes are truncated");
        }
        if (stored[0] != FORMAT_V1) {
            throw new GeneralSecurityException("unsupported format version");
        }
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, stored, 1, NONCE_BYTES));
        cipher.updateAAD(aad);
        // GCM decryption withholds all output until the tag has verified, so a failure never
        // leaves unauthenticated plaintext behind.
        return cipher.doFinal(stored, HEADER_BYTES, stored.length - HEADER_BYTES);
    }

    private static SecretKey aesKey(byte[] raw) {
        // SecretKeySpec keeps its own copy, which the JDK cannot destroy; the caller still zeroes
        // the array it owns.
        return new SecretKeySpec(raw, "AES");
    }

    private static byte[] valueAad(String path, int version) {
        return aad(PURPOSE_VALUE, version, path);
    }

    private static byte[] dataKeyAad(String masterKeyId, String path, int version) {
        return aad(PURPOSE_DATA_KEY, version, masterKeyId, path);
    }

    /**
     * format || purpose || (length || UTF-8)* || version. Length prefixes make the encoding
     * unambiguous, so no two different (id, path, version) triples share associated data.
     */
    private static byte[] aad(byte purpose, int version, String... parts) {
        byte[][] encoded = new byte[parts.length][];
        int size = 2 + Integer.BYTES;
        for (int i = 0; i < parts.length; i++) {
            encoded[i] = parts[i].getBytes(StandardCharsets.UTF_8);
            size += Integer.BYTES + encoded[i].length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).put(FORMAT_V1).put(purpose);
        for (byte[] part : encoded) {
            buffer.putInt(part.length).put(part);
        }
        return buffer.putInt(version).array();
    }

    private static String describe(String path, int version, String masterKeyId) {
        return "value at '" + path + "' version " + version + " under master key '" + masterKeyId + "'";
    }

    /**
     * What the barrier stores for one value: the id of the master key that wrapped the data key, the
     * wrapped data key, and the value ciphertext. Immutable: arrays are copied in and out.
     * {@link #toString()} shows lengths, never bytes.
     */
    public record Sealed(String masterKeyId, byte[] wrappedKey, byte[] ciphertext) {

        public Sealed {
            Objects.requireNonNull(masterKeyId, "masterKeyId");
            wrappedKey = Objects.requireNonNull(wrappedKey, "wrappedKey").clone();
            ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
        }

        @Override
        public byte[] wrappedKey() {
            return wrappedKey.clone();
        }

        @Override
        public byte[] ciphertext() {
            return ciphertext.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed other
                    && masterKeyId.equals(other.masterKeyId)
                    && Arrays.equals(wrappedKey, other.wrappedKey)
                    && Arrays.equals(ciphertext, other.ciphertext);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * masterKeyId.hashCode() + Arrays.hashCode(wrappedKey)) + Arrays.hashCode(ciphertext);
        }

        @Override
        public String toString() {
            return "Sealed[masterKeyId=" + masterKeyId + ", wrappedKey=" + wrappedKey.length
                    + " bytes, ciphertext=" + ciphertext.length + " bytes]";
        }
    }
}
