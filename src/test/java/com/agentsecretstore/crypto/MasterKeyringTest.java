package com.agentsecretstore.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MasterKeyringTest {

    private static final String KEY_A = "MYS039xUIgRa4WZt6uVsJGmrrIGZNt4gEB5SxGu0Xbo=";
    private static final String KEY_B = "8toq0ES2ysm8wc4tqWghh/tp4tJ1gWiixAj3FXaYtjI=";
    private static final String KEY_C = "CBtEK/HJ4i80Sxg7iYLbWMhXhgH4WflhTDyw46pVrp0=";
    private static final String KEY_16_BYTES = "zqWa90gZfIoA6suEX6iUTw==";
    private static final String KEY_33_BYTES = "7dKofC0r+WaKNnPBc+hs+D3VcT9A1TdEwJwgRmnNqoFl";

    @Test
    void nothingConfiguredMeansNoKeyring() {
        assertEquals(Optional.empty(), parse(null, null, null));
    }

    @Test
    void blankValuesCountAsUnset() {
        assertEquals(Optional.empty(), parse("", "  ", " "));
    }

    @Test
    void singleKeyGetsTheDefaultId() {
        MasterKeyring keyring = parse(KEY_A, null, null).orElseThrow();

        assertEquals("default", keyring.activeId());
        assertEquals(Set.of("default"), keyring.ids());
        assertArrayEquals(Base64.getDecoder().decode(KEY_A), keyring.key("default").getEncoded());
    }

    @Test
    void singleKeyAcceptsDefaultAsActiveId() {
        assertEquals("default", parse(KEY_A, null, "default").orElseThrow().activeId());
    }

    @Test
    void singleKeyWithAnotherActiveIdIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(KEY_A, null, "k2"));
        assertTrue(e.getMessage().contains("ASS_ACTIVE_MASTER_KEY"), e.getMessage());
    }

    @Test
    void keyListWithActiveIdSelectsThatKey() {
        MasterKeyring keyring = parse(null, "k1:" + KEY_A + ",k2:" + KEY_B, "k2").orElseThrow();

        assertEquals("k2", keyring.activeId());
        assertEquals(List.of("k1", "k2"), List.copyOf(keyring.ids()));
        assertArrayEquals(Base64.getDecoder().decode(KEY_A), keyring.key("k1").getEncoded());
        assertArrayEquals(Base64.getDecoder().decode(KEY_B), keyring.key("k2").getEncoded());
    }

    @Test
    void singleEntryKeyListNeedsNoActiveId() {
        assertEquals("only", parse(null, "only:" + KEY_A, null).orElseThrow().activeId());
    }

    @Test
    void whitespaceAroundEntriesIsTolerated() {
        MasterKeyring keyring = parse(null, "  k1 : " + KEY_A + " ,\n\tk2:" + KEY_B + "  ", " k1 ").orElseThrow();

        assertEquals(Set.of("k1", "k2"), keyring.ids());
        assertEquals("k1", keyring.activeId());
    }

    @Test
    void idsMayUseLettersDigitsDashAndUnderscore() {
        String id = "Key_2024-01_abcdefghijklmnopqrst";
        assertEquals(32, id.length());
        assertTrue(parse(null, id + ":" + KEY_A, null).orElseThrow().contains(id));
    }

    @Test
    void containsAnswersOnlyForConfiguredIds() {
        MasterKeyring keyring = parse(null, "k1:" + KEY_A + ",k2:" + KEY_B, "k1").orElseThrow();

        assertTrue(keyring.contains("k2"));
        assertFalse(keyring.contains("k3"));
        assertFalse(keyring.contains(null));
    }

    @Test
    void idsCannotBeModified() {
        MasterKeyring keyring = parse(KEY_A, null, null).orElseThrow();
        assertThrows(UnsupportedOperationException.class, () -> keyring.ids().add("x"));
    }

    @Test
    void singleKeyAndKeyListTogetherAreRejected() {
        assertRejectedWithoutLeaking(() -> parse(KEY_A, "k1:" + KEY_B, null), "ASS_MASTER_KEY", KEY_A, KEY_B);
    }

    @Test
    void keyListWithSeveralKeysNeedsAnActiveId() {
        assertRejectedWithoutLeaking(
                () -> parse(null, "k1:" + KEY_A + ",k2:" + KEY_B, null), "ASS_ACTIVE_MASTER_KEY", KEY_A, KEY_B);
    }

    @Test
    void activeIdMustBeInTheKeyList() {
        assertRejectedWithoutLeaking(
                () -> parse(null, "k1:" + KEY_A + ",k2:" + KEY_B, "k3"), "ASS_ACTIVE_MASTER_KEY", KEY_A, KEY_B);
    }

    @Test
    void activeIdWithoutAnyKeyIsRejected() {
        assertRejectedWithoutLeaking(() -> parse(null, null, "k1"), "ASS_ACTIVE_MASTER_KEY");
    }

    @Test
    void keyPastedIntoActiveIdIsRejectedWithoutEchoingIt() {
        assertRejectedWithoutLeaking(
                () -> parse(null, "k1:" + KEY_A + ",k2:" + KEY_B, KEY_C), "ASS_ACTIVE_MASTER_KEY", KEY_A, KEY_B, KEY_C);
    }

    @Test
    void duplicateIdsAreRejected() {
        assertRejectedWithoutLeaking(
                () -> parse(null, "k1:" + KEY_A + ",k1:" + KEY_B, "k1"), "ASS_MASTER_KEYS", KEY_A, KEY_B);
    }

    @Test
    void invalidIdsAreRejected() {
        for (String id : List.of("", "has space", "dot.ted", "a".repeat(33), "ünï")) {
            assertRejectedWithoutLeaking(() -> parse(null, id + ":" + KEY_A, null), "ASS_MASTER_KEYS", KEY_A);
        }
    }

    @Test
    void entryWithoutIdIsRejected() {
        assertRejectedWithoutLeaking(() -> parse(null, KEY_A, null), "ASS_MASTER_KEYS", KEY_A);
    }

    @Test
    void entryWithKeyAndIdSwappedIsRejected() {
        assertRejectedWithoutLeaking(() -> parse(null, KEY_A + ":k1", null), "ASS_MASTER_KEYS", KEY_A);
    }

    @Test
    void emptyEntryIsRejected() {
        assertRejectedWithoutLeaking(() -> parse(null, "k1:" + KEY_A + ",,k2:" + KEY_B, "k1"),
                "ASS_MASTER_KEYS", KEY_A, KEY_B);
    }

    @Test
    void keysShorterOrLongerThan32BytesAreRejected() {
        assertRejectedWithoutLeaking(() -> parse(KEY_16_BYTES, null, null), "ASS_MASTER_KEY", KEY_16_BYTES);
        assertRejectedWithoutLeaking(() -> parse(KEY_33_BYTES, null, null), "ASS_MASTER_KEY", KEY_33_BYTES);
        assertRejectedWithoutLeaking(() -> parse(null, "k1:" + KEY_16_BYTES, null), "ASS_MASTER_KEYS", KEY_16_BYTES);
    }

    @Test
    void keysThatAreNotBase64AreRejected() {
        String urlSafe = KEY_B.replace('/', '_');
        String withBadCharacter = KEY_A.substring(0, 20) + "!" + KEY_A.substring(21);
        assertRejectedWithoutLeaking(() -> parse(urlSafe, null, null), "ASS_MASTER_KEY", urlSafe);
        assertRejectedWithoutLeaking(
                () -> parse(null, "k1:" + withBadCharacter, null), "ASS_MASTER_KEYS", withBadCharacter);
    }

    @Test
    void generatedKeyringHasOneActiveDevKey() {
        MasterKeyring keyring = MasterKeyring.generate();

        assertEquals("dev", keyring.activeId());
        assertEquals(Set.of("dev"), keyring.ids());
        assertEquals(32, keyring.key("dev").getEncoded().length);
    }

    @Test
    void generatedKeysDiffer() {
        byte[] first = MasterKeyring.generate().activeKey().getEncoded();
        byte[] second = MasterKeyring.generate().activeKey().getEncoded();
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void toStringShowsIdsButNoKeyMaterial() {
        MasterKeyring keyring = parse(null, "k1:" + KEY_A + ",k2:" + KEY_B, "k2").orElseThrow();

        String text = keyring.toString();
        assertTrue(text.contains("k1") && text.contains("k2"), text);
        assertNoFragmentOf(KEY_A, text);
        assertNoFragmentOf(KEY_B, text);
    }

    private static Optional<MasterKeyring> parse(String single, String spec, String active) {
        return MasterKeyring.parse(Optional.ofNullable(single), Optional.ofNullable(spec), Optional.ofNullable(active));
    }

    private static void assertRejectedWithoutLeaking(Executable parse, String envVar, String... secrets) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse);
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(envVar), () -> "message should name " + envVar + ": " + e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = t.toString();
            for (String secret : secrets) {
                assertNoFragmentOf(secret, text);
            }
        }
    }

    /** No run of five or more characters of the secret's text may show up. */
    private static void assertNoFragmentOf(String secret, String text) {
        for (int i = 0; i + 5 <= secret.length(); i++) {
            String fragment = secret.substring(i, i + 5);
            if (text.contains(fragment)) {
                fail("'" + text + "' contains key material '" + fragment + "'");
            }
        }
    }
}
