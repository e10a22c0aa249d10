package com.agentsecretstore.policy.moltbotden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.policy.TrustTier;

class ResolvedTrustTest {

    @Test
    void anOverrideIsTakenAsItIs() {
        assertEquals(new ResolvedTrust(TrustTier.NEW, TrustSource.OVERRIDE), ResolvedTrust.override("new"));
        assertNull(ResolvedTrust.override(null));
        assertNull(ResolvedTrust.override("T5"));
    }

    @Test
    void aRegistryAnswerIsALookup() {
        assertEquals(new ResolvedTrust(TrustTier.VERIFIED, TrustSource.LOOKUP),
                ResolvedTrust.fromAnswer(RegistryAnswer.found(TrustTier.VERIFIED, 200, 3)));
        assertEquals(new ResolvedTrust(TrustTier.UNREGISTERED, TrustSource.LOOKUP),
                ResolvedTrust.fromAnswer(RegistryAnswer.notRegistered(3)));
    }

    @Test
    void noAnswerIsUnregisteredAndUnavailable() {
        ResolvedTrust unavailable = new ResolvedTrust(TrustTier.UNREGISTERED, TrustSource.UNAVAILABLE);
        assertEquals(unavailable, ResolvedTrust.fromAnswer(RegistryAnswer.failed(500, "HTTP 500", 3)));
        assertEquals(unavailable, ResolvedTrust.fromAnswer(null));
    }

    @Test
    void theKeyGoesOnlyToTheSameOrigin() {
        assertEquals(true, MoltbotdenClient.sameOrigin("https://api.moltbotden.com", "https://API.moltbotden.com:443/v2"));
        assertEquals(false, MoltbotdenClient.sameOrigin("https://api.moltbotden.com", "http://api.moltbotden.com"));
        assertEquals(false, MoltbotdenClient.sameOrigin("https://api.moltbotden.com", "https://api.moltbotden.com.evil.example"));
        assertEquals(false, MoltbotdenClient.sameOrigin("http://127.0.0.1:80", "http://localhost"));
    }
}
