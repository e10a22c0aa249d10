package com.agentsecretstore.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpaqueTokensTest {

    private static final int SAMPLES = 5_000;

    @Test
    void tokenStartsWithItsPrefix() {
        assertTrue(OpaqueTokens.generate("ass_").startsWith("ass_"));
    }

    @Test
    void everyTokenHasTheSameLength() {
        for (int i = 0; i < SAMPLES; i++) {
            assertEquals(4 + 43, OpaqueTokens.generate("ass_").length());
        }
    }

    @Test
    void tokenBodyIsBase62Only() {
        for (int i = 0; i < SAMPLES; i++) {
            String body = OpaqueTokens.generate("ass_").substring(4);
            assertTrue(body.matches("[0-9A-Za-z]{43}"), body);
        }
    }

    @Test
    void tokensAreDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < SAMPLES; i++) {
            assertTrue(seen.add(OpaqueTokens.generate("ass_")));
        }
    }

    @Test
    void extremeRandomValuesStillFillTheWholeWidth() {
        byte[] zeros = new byte[32];
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xFF);

        assertEquals("0".repeat(43), OpaqueTokens.base62(zeros));
        String max = OpaqueTokens.base62(ones);
        assertEquals(43, max.length());
        assertTrue(max.matches("[0-9A-Za-z]{43}"), max);
    }

    @Test
    void base62PutsTheMostSignificantDigitFirst() {
        byte[] sixtyThree = new byte[32];
        sixtyThree[31] = 63;
        assertEquals("0".repeat(41) + "11", OpaqueTokens.base62(sixtyThree));
    }

    @Test
    void hashIsSha256OfTheUtf8Token() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(OpaqueTokens.hash("abc")));
    }

    @Test
    void matchesAcceptsTheIssuedToken() {
        String token = OpaqueTokens.generate("ass_");
        assertTrue(OpaqueTokens.matches(OpaqueTokens.hash(token), token));
    }

    @Test
    void matchesRejectsAnyOneCharacterChange() {
        String token = OpaqueTokens.generate("ass_");
        byte[] stored = OpaqueTokens.hash(token);
        for (int i = 0; i < token.length(); i++) {
            char original = token.charAt(i);
            char changed = original == 'a' ? 'b' : 'a';
            String altered = token.substring(0, i) + changed + token.substring(i + 1);
            assertFalse(OpaqueTokens.matches(stored, altered), "accepted a change at position " + i);
        }
    }

    @Test
    void matchesRejectsTruncatedAndExtendedTokens() {
        String token = OpaqueTokens.generate("ass_");
        byte[] stored = OpaqueTokens.hash(token);
        assertFalse(OpaqueTokens.matches(stored, token.substring(0, token.length() - 1)));
        assertFalse(OpaqueTokens.matches(stored, token + "0"));
    }

    @Test
    void matchesRejectsMissingInput() {
        String token = OpaqueTokens.generate("ass_");
        assertFalse(OpaqueTokens.matches(OpaqueTokens.hash(token), null));
        assertFalse(OpaqueTokens.matches(null, token));
        assertFalse(OpaqueTokens.matches(new byte[0], token));
    }

    @Test
    void displayPrefixShowsTypePrefixAndFourCharacters() {
        String token = OpaqueTokens.generate("ass_");
        assertEquals(token.substring(0, 8), OpaqueTokens.displayPrefix(token));
    }

    @Test
    void displayPrefixOfAConfiguredKeyOfAnotherLengthStillShowsFourCharacters() {
        String configured = "ass_" + "Abcd" + "0".repeat(60);
        assertEquals("ass_Abcd", OpaqueTokens.displayPrefix(configured));
        assertEquals("ast_Wxyz", OpaqueTokens.displayPrefix("ast_Wxyz" + "1".repeat(39)));
    }

    @Test
    void displayPrefixRejectsStringsTooShortToBeTokens() {
        assertThrows(IllegalArgumentException.class, () -> OpaqueTokens.displayPrefix("ass_short"));
    }
}
