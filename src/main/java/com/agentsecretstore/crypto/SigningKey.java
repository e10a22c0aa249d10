package com.agentsecretstore.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An Ed25519 key of the audit trail (RFC 8032, the JDK's own implementation): signs seals and
 * decision receipts, and derives the key of the per-entry tags. The 32-byte private seed never
 * leaves this object except sealed by the {@link Barrier} ({@link #seal}); {@link #toString()} shows
 * the id only.
 *
 * <p>Algorithm names are string constants passed straight to {@code getInstance}, which is what
 * GraalVM's native-image looks for to include a JCA service (SunEC's EdDSA is pure Java since JDK 16).
 */
public final class SigningKey {

    /** Length of an entry tag: 128 bits is plenty against forgery, and halves the storage of a full HMAC. */
    public static final int TAG_BYTES = 16;
    /** The DER prefix that turns a raw 32-byte Ed25519 public key into an X.509 SubjectPublicKeyInfo. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] TAG_LABEL = "ass.audit.entry-tag.v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROBE = "ass.audit.key-probe.v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SEED_VERSION = 1;

    private final String id;
    private final byte[] publicKey;
    private final PrivateKey privateKey;
    private final byte[] tagKey;

    private SigningKey(String id, byte[] seed, byte[] publicKey) throws GeneralSecurityException {
        this.id = Objects.requireNonNull(id, "id");
        this.publicKey = publicKey.clone();
        this.privateKey = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        this.tagKey = hmac(seed, TAG_LABEL);
    }

    /** A new random key. */
    public static SigningKey generate(String id) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
            try {
                return new SigningKey(id, seed, rawPublicKey(pair.getPublic()));
            } finally {
                Arrays.fill(seed, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is required by every Java 17 platform", e);
        }
    }

    /** The private seed sealed by the barrier, for storage with the key's id as its path. */
    public Barrier.Sealed seal(Barrier barrier) {
        byte[] seed = seed();
        try {
            return barrier.seal(barrierPath(id), SEED_VERSION, seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * The key stored as {@code sealed} with {@code publicKey}, or an exception when it is not one:
     * the seed does not open under the master key it names (the row was not written by the service,
     * or that master key is gone), or the public key is not its pair (the row was edited).
     */
    public static SigningKey open(Barrier barrier, String id, byte[] publicKey, Barrier.Sealed sealed) {
        byte[] seed = barrier.open(barrierPath(id), SEED_VERSION, sealed);
        try {
            SigningKey key = new SigningKey(id, seed, publicKey);
            if (!verify(publicKey, PROBE, key.sign(PROBE))) {
                throw new BarrierException("signing key " + id + " does not match its stored public key");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new BarrierException("signing key " + id + " cannot be read", e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Re-wraps the sealed seed under the active master key (see {@link Barrier#rewrap}). */
    public static Barrier.Sealed rewrap(Barrier barrier, String id, Barrier.Sealed sealed) {
        return barrier.rewrap(barrierPath(id), SEED_VERSION, sealed);
    }

    public String id() {
        return id;
    }

    /** The raw 32-byte public key (RFC 8032 encoding). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The 64-byte Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** The keyed tag of an entry hash: HMAC-SHA256(tag key, hash), first {@link #TAG_BYTES} bytes. */
    public byte[] tag(byte[] entryHash) {
        return Arrays.copyOf(hmac(tagKey, entryHash), TAG_BYTES);
    }

    /**
     * The tag of every 32-byte hash in {@code hashes}, concatenated in the same order: what
     * {@link #tag} gives one by one, with one HMAC instance for the lot (a sealer batch is a
     * thousand entries; a new instance per entry cost more than the HMAC itself).
     */
    public byte[] tags(byte[] hashes) {
        int n = hashes.length / 32;
        byte[] tags = new byte[n * TAG_BYTES];
        Mac mac = mac(tagKey);
        for (int i = 0; i < n; i++) {
            mac.update(hashes, 32 * i, 32);
            System.arraycopy(mac.doFinal(), 0, tags, i * TAG_BYTES, TAG_BYTES);
        }
        return tags;
    }

    /** Whether {@code tag} is this key's tag of {@code entryHash}, compared in constant time. */
    public boolean tagMatches(byte[] entryHash, byte[] tag) {
        return MessageDigest.isEqual(tag(entryHash), tag);
    }

    /** Whether {@code signature} is a valid Ed25519 signature of {@code message} by {@code publicKey}. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != 32 || signature == null || signature.length != 64) {
            return false;
        }
        try {
            byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
            System.arraycopy(publicKey, 0, der, X509_PREFIX.length, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // A point that does not decode is no public key at all: nothing it "signed" verifies.
            return false;
        }
    }

    /**
     * The key with this raw seed and public key, not checked against each other: for the RFC 8032
     * test vectors and the SDK's fixtures. Stored keys are read with {@link #open}.
     */
    public static SigningKey of(String id, byte[] seed, byte[] publicKey) {
        try {
            return new SigningKey(id, seed, publicKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private byte[] seed() {
        return ((EdECPrivateKey) privateKey).getBytes().orElseThrow();
    }

    private static byte[] rawPublicKey(PublicKey key) {
        byte[] der = key.getEncoded();
        return Arrays.copyOfRange(der, der.length - 32, der.length);
    }

    private static String barrierPath(String id) {
        return "audit/signing-key/" + id;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + id + "]";
    }
}
