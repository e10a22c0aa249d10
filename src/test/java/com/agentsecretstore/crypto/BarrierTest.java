package com.agentsecretstore.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.agentsecretstore.crypto.Barrier.Sealed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BarrierTest {

    private static final String PATH = "team/payments/stripe-api-key";
    private static final int VERSION = 3;
    private static final byte[] PLAINTEXT =
            "sk_live_51H8nQ2eZvKYlo2CThisIsTheSecretValue".getBytes(StandardCharsets.UTF_8);

    private final SecureRandom random = new SecureRandom();
    private final byte[] oldKey = randomKey();
    private final byte[] newKey = randomKey();
    private final Barrier barrier = barrier(keyring("old", Map.of("old", oldKey)));

    @Test
    void sealedValueOpensToTheOriginalPlaintext() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        assertArrayEquals(PLAINTEXT, barrier.open(PATH, VERSION, sealed));
    }

    @Test
    void emptyPlaintextRoundTrips() {
        Sealed sealed = barrier.seal(PATH, VERSION, new byte[0]);
        assertArrayEquals(new byte[0], barrier.open(PATH, VERSION, sealed));
    }

    @Test
    void sealedValueNamesTheActiveMasterKey() {
        assertEquals("old", barrier.activeKeyId());
        assertEquals("old", barrier.seal(PATH, VERSION, PLAINTEXT).masterKeyId());
    }

    @Test
    void storedBytesStartWithFormatVersionAndNonce() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);

        assertEquals(0x01, sealed.ciphertext()[0]);
        assertEquals(1 + 12 + PLAINTEXT.length + 16, sealed.ciphertext().length);
        assertEquals(0x01, sealed.wrappedKey()[0]);
        assertEquals(1 + 12 + 32 + 16, sealed.wrappedKey().length);
    }

    @Test
    void ciphertextNeverContainsPlaintext() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        // Any 4-byte run of the plaintext showing up would mean it leaked, even in part.
        for (int i = 0; i + 4 <= PLAINTEXT.length; i++) {
            byte[] run = Arrays.copyOfRange(PLAINTEXT, i, i + 4);
            assertFalse(containsRun(sealed.ciphertext(), run), "plaintext bytes at " + i + " appear in ciphertext");
            assertFalse(containsRun(sealed.wrappedKey(), run), "plaintext bytes at " + i + " appear in wrapped key");
        }
    }

    @Test
    void sealingTheSameValueTwiceGivesUnrelatedBytes() {
        Sealed first = barrier.seal(PATH, VERSION, PLAINTEXT);
        Sealed second = barrier.seal(PATH, VERSION, PLAINTEXT);

        assertFalse(Arrays.equals(first.ciphertext(), second.ciphertext()));
        assertFalse(Arrays.equals(first.wrappedKey(), second.wrappedKey()));
    }

    @Test
    void everySealDrawsFreshNonces() {
        // Fresh data keys alone would hide a repeated nonce; under the one master key it would be fatal.
        Sealed first = barrier.seal(PATH, VERSION, PLAINTEXT);
        Sealed second = barrier.seal(PATH, VERSION, PLAINTEXT);

        assertFalse(Arrays.equals(nonce(first.wrappedKey()), nonce(second.wrappedKey())));
        assertFalse(Arrays.equals(nonce(first.ciphertext()), nonce(second.ciphertext())));
    }

    @Test
    void flippingAnyCiphertextByteFailsLoudly() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        byte[] ciphertext = sealed.ciphertext();
        for (int i = 0; i < ciphertext.length; i++) {
            byte[] tampered = ciphertext.clone();
            tampered[i] ^= 0x01;
            Sealed bad = new Sealed(sealed.masterKeyId(), sealed.wrappedKey(), tampered);
            assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, bad), "byte " + i);
        }
    }

    @Test
    void flippingAnyWrappedKeyByteFailsLoudly() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        byte[] wrappedKey = sealed.wrappedKey();
        for (int i = 0; i < wrappedKey.length; i++) {
            byte[] tampered = wrappedKey.clone();
            tampered[i] ^= 0x01;
            Sealed bad = new Sealed(sealed.masterKeyId(), tampered, sealed.ciphertext());
            assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, bad), "byte " + i);
        }
    }

    @Test
    void truncatedCiphertextFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        byte[] ciphertext = sealed.ciphertext();
        for (int length = 0; length < ciphertext.length; length++) {
            Sealed bad = new Sealed(sealed.masterKeyId(), sealed.wrappedKey(),
                    Arrays.copyOf(ciphertext, length));
            assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, bad), "length " + length);
        }
    }

    @Test
    void truncatedWrappedKeyFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        byte[] wrappedKey = sealed.wrappedKey();
        for (int length = 0; length < wrappedKey.length; length++) {
            Sealed bad = new Sealed(sealed.masterKeyId(), Arrays.copyOf(wrappedKey, length),
                    sealed.ciphertext());
            assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, bad), "length " + length);
        }
    }

    @Test
    void unknownFormatVersionFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        byte[] ciphertext = sealed.ciphertext();
        ciphertext[0] = 0x02;
        byte[] wrappedKey = sealed.wrappedKey();
        wrappedKey[0] = 0x00;

        Sealed badValue = new Sealed("old", sealed.wrappedKey(), ciphertext);
        Sealed badKey = new Sealed("old", wrappedKey, sealed.ciphertext());
        assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, badValue));
        assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, badKey));
    }

    @Test
    void valueMovedToAnotherPathFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        assertThrows(BarrierException.class, () -> barrier.open(PATH + "-copy", VERSION, sealed));
        assertThrows(BarrierException.class, () -> barrier.open("team/payments/stripe-api-ke", VERSION, sealed));
    }

    @Test
    void valueMovedToAnotherVersionFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION + 1, sealed));
        assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION - 1, sealed));
    }

    @Test
    void wrappedKeyOfAnotherValueFails() {
        Sealed first = barrier.seal(PATH, VERSION, PLAINTEXT);
        Sealed second = barrier.seal(PATH, VERSION, "other".getBytes(StandardCharsets.UTF_8));

        Sealed spliced = new Sealed("old", second.wrappedKey(), first.ciphertext());
        assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, spliced));
    }

    @Test
    void unknownMasterKeyIdFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        Sealed relabelled = new Sealed("missing", sealed.wrappedKey(), sealed.ciphertext());

        BarrierException e = assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, relabelled));
        assertTrue(e.getMessage().contains("'missing'"), e.getMessage());
    }

    @Test
    void wrappedKeyRelabelledToAnotherKnownMasterKeyFails() {
        // Both ids exist and hold the same key: only the id bound into the wrap tells them apart.
        Barrier twoIds = barrier(keyring("a", orderedKeys("a", oldKey, "b", oldKey)));
        Sealed sealed = twoIds.seal(PATH, VERSION, PLAINTEXT);

        Sealed relabelled = new Sealed("b", sealed.wrappedKey(), sealed.ciphertext());
        assertThrows(BarrierException.class, () -> twoIds.open(PATH, VERSION, relabelled));
    }

    @Test
    void sameKeyIdWithDifferentKeyBytesFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        Barrier impostor = barrier(keyring("old", Map.of("old", newKey)));

        assertThrows(BarrierException.class, () -> impostor.open(PATH, VERSION, sealed));
    }

    @Test
    void failureMessageNamesPathVersionAndKeyButNoBytes() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        byte[] ciphertext = sealed.ciphertext();
        ciphertext[ciphertext.length - 1] ^= 0x01;
        Sealed bad = new Sealed("old", sealed.wrappedKey(), ciphertext);

        BarrierException e = assertThrows(BarrierException.class, () -> barrier.open(PATH, VERSION, bad));
        String message = e.getMessage();
        assertTrue(message.contains(PATH) && message.contains("version 3") && message.contains("'old'"), message);
        List<String> forbidden = List.of(
                new String(PLAINTEXT, StandardCharsets.UTF_8).substring(0, 8),
                HexFormat.of().formatHex(ciphertext, 1, 5),
                Base64.getEncoder().encodeToString(ciphertext).substring(0, 8),
                HexFormat.of().formatHex(sealed.wrappedKey(), 1, 5),
                Base64.getEncoder().encodeToString(sealed.wrappedKey()).substring(0, 8));
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (String bytes : forbidden) {
                assertFalse(t.toString().contains(bytes), t.toString());
            }
        }
    }

    @Test
    void rewrapKeepsCiphertextAndDataKey() {
        Sealed underOld = barrier.seal(PATH, VERSION, PLAINTEXT);
        Barrier rotating = barrier(keyring("new", orderedKeys("old", oldKey, "new", newKey)));

        Sealed underNew = rotating.rewrap(PATH, VERSION, underOld);

        assertEquals("new", underNew.masterKeyId());
        assertArrayEquals(underOld.ciphertext(), underNew.ciphertext());
        assertFalse(Arrays.equals(underOld.wrappedKey(), underNew.wrappedKey()));
        // The old key is gone: the value still opens, so the unchanged ciphertext is still
        // readable with the re-wrapped data key.
        Barrier retired = barrier(keyring("new", Map.of("new", newKey)));
        assertArrayEquals(PLAINTEXT, retired.open(PATH, VERSION, underNew));
    }

    @Test
    void rewrapOfValueUnderActiveKeyReturnsItUnchanged() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        assertSame(sealed, barrier.rewrap(PATH, VERSION, sealed));
    }

    @Test
    void rewrapUnderUnknownOldKeyFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        Barrier withoutOld = barrier(keyring("new", Map.of("new", newKey)));

        assertThrows(BarrierException.class, () -> withoutOld.rewrap(PATH, VERSION, sealed));
    }

    @Test
    void rewrapAtAnotherPathFails() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        Barrier rotating = barrier(keyring("new", orderedKeys("old", oldKey, "new", newKey)));

        assertThrows(BarrierException.class, () -> rotating.rewrap("elsewhere", VERSION, sealed));
    }

    @Test
    void needsRewrapOnlyWhenWrappedByAnotherKey() {
        Sealed underOld = barrier.seal(PATH, VERSION, PLAINTEXT);
        Barrier rotating = barrier(keyring("new", orderedKeys("old", oldKey, "new", newKey)));

        assertFalse(barrier.needsRewrap(underOld));
        assertTrue(rotating.needsRewrap(underOld));
        assertFalse(rotating.needsRewrap(rotating.rewrap(PATH, VERSION, underOld)));
    }

    @Test
    void sealedToStringShowsLengthsButNoBytes() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);

        String text = sealed.toString();
        assertTrue(text.contains("old") && text.contains("bytes"), text);
        assertFalse(text.contains("[B@"), text);
        assertFalse(text.contains(HexFormat.of().formatHex(sealed.ciphertext(), 1, 4)), text);
    }

    @Test
    void sealedEqualityComparesContents() {
        Sealed sealed = barrier.seal(PATH, VERSION, PLAINTEXT);
        Sealed copy = new Sealed(sealed.masterKeyId(), sealed.wrappedKey(), sealed.ciphertext());

        assertEquals(sealed, copy);
        assertEquals(sealed.hashCode(), copy.hashCode());
        assertNotEquals(sealed, barrier.seal(PATH, VERSION, PLAINTEXT));
    }

    @Test
    void sealedCannotBeChangedThroughItsArrays() {
        byte[] wrappedKey = {1, 2, 3};
        byte[] ciphertext = {4, 5, 6};
        Sealed sealed = new Sealed("old", wrappedKey, ciphertext);

        wrappedKey[0] = 9;
        sealed.ciphertext()[0] = 9;

        assertArrayEquals(new byte[] {1, 2, 3}, sealed.wrappedKey());
        assertArrayEquals(new byte[] {4, 5, 6}, sealed.ciphertext());
    }

    @Test
    void onlyTheBarrierUsesCipher() throws IOException {
        Path sources = Path.of("src/main/java");
        assumeTrue(Files.isDirectory(sources), "run from the project directory");
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> users = files
                    .filter(f -> f.toString().endsWith(".java"))
                    .filter(BarrierTest::usesCipher)
                    .map(f -> sources.relativize(f).toString().replace('\\', '/'))
                    .collect(Collectors.toList());
            assertEquals(List.of("com/agentsecretstore/crypto/Barrier.java"), users);
        }
    }

    private static boolean usesCipher(Path file) {
        try {
            String source = Files.readString(file);
            return source.contains("javax.crypto.Cipher")
                    || source.contains("Cipher.getInstance")
                    || source.contains("import javax.crypto.*");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Barrier barrier(MasterKeyring keyring) {
        return new Barrier(keyring, random);
    }

    private static MasterKeyring keyring(String activeId, Map<String, byte[]> keys) {
        return MasterKeyring.of(keys, activeId);
    }

    private static Map<String, byte[]> orderedKeys(String id1, byte[] key1, String id2, byte[] key2) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put(id1, key1);
        keys.put(id2, key2);
        return keys;
    }

    private byte[] randomKey() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return key;
    }

    private static byte[] nonce(byte[] stored) {
        return Arrays.copyOfRange(stored, 1, 13);
    }

    private static boolean containsRun(byte[] haystack, byte[] run) {
        outer:
        for (int i = 0; i + run.length <= haystack.length; i++) {
            for (int j = 0; j < run.length; j++) {
                if (haystack[i + j] != run[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
