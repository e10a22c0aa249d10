package com.agentsecretstore.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The audit signing key: RFC 8032 Ed25519, its tags, and its storage sealed by the master key. */
class SigningKeyTest {

    private static final HexFormat HEX = HexFormat.of();

    private static Barrier barrier(String active, String... ids) {
        Map<String, byte[]> keys = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ids.length; i++) {
            byte[] raw = new byte[32];
            Arrays.fill(raw, (byte) (i + 1));
            keys.put(ids[i], raw);
        }
        return new Barrier(MasterKeyring.of(keys, active), new SecureRandom());
    }

    /** RFC 8032, section 7.1, tests 1 to 3: secret key, public key, message, signature. */
    @ParameterizedTest
    @CsvSource({
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60, d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a, '', "
            + "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb, 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c, 72, "
            + "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7, fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025, af82, "
            + "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
    })
    void signsAndVerifiesTheRfc8032Vectors(String secret, String publicKey, String message, String signature) {
        SigningKey key = SigningKey.of("ask_rfc", HEX.parseHex(secret), HEX.parseHex(publicKey));
        byte[] msg = HEX.parseHex(message);
        assertEquals(signature, HEX.formatHex(key.sign(msg)));
        assertTrue(SigningKey.verify(HEX.parseHex(publicKey), msg, HEX.parseHex(signature)));
        byte[] other = Arrays.copyOf(msg, msg.length + 1);
        assertFalse(SigningKey.verify(HEX.parseHex(publicKey), other, HEX.parseHex(signature)));
    }

    @Test
    void malformedKeysAndSignaturesVerifyNothing() {
        SigningKey key = SigningKey.generate("ask_x");
        byte[] sig = key.sign(new byte[] { 1 });
        assertFalse(SigningKey.verify(new byte[31], new byte[] { 1 }, sig));
        assertFalse(SigningKey.verify(key.publicKey(), new byte[] { 1 }, Arrays.copyOf(sig, 63)));
        assertFalse(SigningKey.verify(null, new byte[] { 1 }, sig));
        assertFalse(SigningKey.verify(SigningKey.generate("ask_y").publicKey(), new byte[] { 1 }, sig));
    }

    @Test
    void tagsAreKeyedAndSixteenBytes() {
        SigningKey a = SigningKey.generate("ask_a");
        SigningKey b = SigningKey.generate("ask_b");
        byte[] hash = new byte[32];
        assertEquals(SigningKey.TAG_BYTES, a.tag(hash).length);
        assertArrayEquals(a.tag(hash), a.tag(hash.clone()));
        assertTrue(a.tagMatches(hash, a.tag(hash)));
        assertFalse(a.tagMatches(hash, b.tag(hash)));
        hash[0] = 1;
        assertNotEquals(HEX.formatHex(a.tag(new byte[32])), HEX.formatHex(a.tag(hash)));
    }

    @Test
    void theTagsOfABatchAreEachHashsTagInOrder() {
        SigningKey key = SigningKey.generate("ask_batch");
        byte[] hashes = new byte[32 * 3];
        new SecureRandom().nextBytes(hashes);
        byte[] tags = key.tags(hashes);
        assertEquals(3 * SigningKey.TAG_BYTES, tags.length);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(key.tag(Arrays.copyOfRange(hashes, 32 * i, 32 * (i + 1))),
                    Arrays.copyOfRange(tags, SigningKey.TAG_BYTES * i, SigningKey.TAG_BYTES * (i + 1)));
        }
        assertEquals(0, key.tags(new byte[0]).length);
    }

    @Test
    void aSealedKeyOpensUnderItsMasterKeyAndSignsTheSame() {
        Barrier barrier = barrier("m1", "m1");
        SigningKey key = SigningKey.generate("ask_sealed");
        Barrier.Sealed sealed = key.seal(barrier);
        SigningKey opened = SigningKey.open(barrier, "ask_sealed", key.publicKey(), sealed);
        assertArrayEquals(key.sign(new byte[] { 7 }), opened.sign(new byte[] { 7 }));
        assertArrayEquals(key.tag(new byte[32]), opened.tag(new byte[32]));
        assertFalse(opened.toString().contains(HEX.formatHex(key.publicKey())));
    }

    @Test
    void aKeyDoesNotOpenWithAnotherPublicKeyAnotherIdOrAnotherMasterKey() {
        Barrier barrier = barrier("m1", "m1");
        SigningKey key = SigningKey.generate("ask_k");
        Barrier.Sealed sealed = key.seal(barrier);
        byte[] otherPublic = SigningKey.generate("ask_o").publicKey();
        assertThrows(BarrierException.class, () -> SigningKey.open(barrier, "ask_k", otherPublic, sealed));
        assertThrows(BarrierException.class, () -> SigningKey.open(barrier, "ask_other", key.publicKey(), sealed));
        Barrier elsewhere = barrier("m2", "m2");
        assertThrows(BarrierException.class, () -> SigningKey.open(elsewhere, "ask_k", key.publicKey(),
                new Barrier.Sealed("m2", sealed.wrappedKey(), sealed.ciphertext())));
    }

    @Test
    void rewrappingMovesTheKeyToTheActiveMasterKey() {
        SigningKey key = SigningKey.generate("ask_r");
        Barrier.Sealed sealed = key.seal(barrier("m1", "m1"));
        Barrier rotated = barrier("m2", "m1", "m2");
        Barrier.Sealed moved = SigningKey.rewrap(rotated, "ask_r", sealed);
        assertEquals("m2", moved.masterKeyId());
        assertArrayEquals(key.sign(new byte[0]), SigningKey.open(rotated, "ask_r", key.publicKey(), moved).sign(new byte[0]));
    }
}
