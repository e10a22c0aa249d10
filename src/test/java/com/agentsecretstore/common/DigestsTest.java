package com.agentsecretstore.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class DigestsTest {

    @Test
    void sha256OfATextIsTheStandardDigestOfItsUtf8Bytes() {
        // FIPS 180-2, appendix B.1
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HexFormat.of().formatHex(Digests.sha256Of("abc")));
    }

    @Test
    void partsNeverCollideByConcatenationAndNullIsNotEmpty() {
        assertFalse(Arrays.equals(Digests.sha256("ab", "c"), Digests.sha256("a", "bc")));
        assertFalse(Arrays.equals(Digests.sha256((String) null), Digests.sha256("")));
        assertFalse(Arrays.equals(Digests.sha256("abc"), Digests.sha256Of("abc")), "one part is length-prefixed");
        assertArrayEquals(Digests.sha256("a", "b"), Digests.sha256("a", "b"));
    }

    @Test
    void aBearerKeyIsTheBase64OfTheTokensDigestAndHoldsNothingOfTheToken() {
        String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl";
        String key = Digests.bearerKey(token);
        assertEquals(java.util.Base64.getEncoder().encodeToString(Digests.sha256Of(token)), key);
        assertEquals(44, key.length());
        assertFalse(key.contains("eyJ"));
    }
}
