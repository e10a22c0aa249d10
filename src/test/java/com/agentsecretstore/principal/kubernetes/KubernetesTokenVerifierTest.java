package com.agentsecretstore.principal.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.principal.kubernetes.TokenRefusal.Reason;
import com.agentsecretstore.support.KubernetesIssuer;
import com.agentsecretstore.support.TestClock;

import io.smallrye.mutiny.Uni;

/** The verifier without HTTP: a fetcher that serves one issuer's JWKS and counts the fetches. */
class KubernetesTokenVerifierTest {

    private static final String ISSUER = "https://cluster.example.com";
    private static final Duration REFETCH = Duration.ofSeconds(30);

    private final TestClock clock = new TestClock();
    private final List<PublicJsonWebKey> published = new ArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final IssuerKeys keys = new IssuerKeys(ISSUER, ISSUER + "/keys", url -> {
        fetches.incrementAndGet();
        return Uni.createFrom().item(new JsonWebKeySet(new ArrayList<JsonWebKey>(published))
                .toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
    }, clock, REFETCH, Duration.ofMinutes(10));

    private KubernetesTokenVerifier verifier(int cacheSize) {
        return new KubernetesTokenVerifier(List.of(keys), "agent-secret-store", clock, cacheSize);
    }

    private static JwtClaims claims() {
        return KubernetesIssuer.claims(ISSUER, "team-a", "runner", "runner-0", UUID.randomUUID().toString());
    }

    private static Reason refusal(KubernetesTokenVerifier v, String token) {
        Throwable t = assertThrows(TokenRefusal.class, () -> v.verify(token).await().indefinitely());
        return assertInstanceOf(TokenRefusal.class, t).reason();
    }

    @Test
    void rsaAndEcTokensVerifyAndYieldTheKubernetesClaims() {
        PublicJsonWebKey rsa = KubernetesIssuer.newKey(false);
        PublicJsonWebKey ec = KubernetesIssuer.newKey(true);
        published.addAll(List.of(rsa, ec));
        KubernetesTokenVerifier v = verifier(10);
        for (PublicJsonWebKey key : List.of(rsa, ec)) {
            ProjectedToken t = v.verify(KubernetesIssuer.sign(claims(), key)).await().indefinitely();
            assertEquals("team-a/runner", t.account());
            assertEquals("runner-0", t.podName());
        }
    }

    @Test
    void unknownKeyIdsRefetchTheKeysAtMostOncePerInterval() {
        published.add(KubernetesIssuer.newKey(false));
        KubernetesTokenVerifier v = verifier(10);
        v.verify(KubernetesIssuer.sign(claims(), published.get(0))).await().indefinitely();
        assertEquals(1, fetches.get());

        clock.advance(REFETCH.plusSeconds(1));
        for (int i = 0; i < 5; i++) {
            assertEquals(Reason.UNKNOWN_KEY, refusal(v, KubernetesIssuer.sign(claims(), KubernetesIssuer.newKey(false))));
        }
        assertEquals(2, fetches.get(), "one refetch for five made-up key ids");

        PublicJsonWebKey rotated = KubernetesIssuer.newKey(true);
        published.add(0, rotated);
        assertEquals(Reason.UNKNOWN_KEY, refusal(v, KubernetesIssuer.sign(claims(), rotated)), "not before the interval");
        clock.advance(REFETCH.plusSeconds(1));
        v.verify(KubernetesIssuer.sign(claims(), rotated)).await().indefinitely();
        assertEquals(3, fetches.get());
    }

    @Test
    void verifiedTokenIsRememberedUntilItExpires() {
        PublicJsonWebKey key = KubernetesIssuer.newKey(false);
        published.add(key);
        KubernetesTokenVerifier v = verifier(10);
        JwtClaims claims = claims();
        claims.setExpirationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 1200));
        String token = KubernetesIssuer.sign(claims, key);
        v.verify(token).await().indefinitely();
        assertEquals(1, v.cached());

        // The key is retired and the held keys are past their age: only the cache can still answer.
        published.clear();
        clock.advance(Duration.ofMinutes(11));
        assertEquals("team-a/runner", v.verify(token).await().indefinitely().account());
        assertEquals(1, fetches.get(), "a cached token needs no keys");

        clock.advance(Duration.ofMinutes(10));
        assertEquals(Reason.UNKNOWN_KEY, refusal(v, token), "expired from the cache, then checked afresh");
        assertEquals(0, v.cached());
    }

    @Test
    void cacheStaysWithinItsBound() {
        PublicJsonWebKey key = KubernetesIssuer.newKey(false);
        published.add(key);
        KubernetesTokenVerifier v = verifier(3);
        for (int i = 0; i < 6; i++) {
            v.verify(KubernetesIssuer.sign(claims(), key)).await().indefinitely();
        }
        assertEquals(3, v.cached());
    }

    @Test
    void symmetricKeysInTheJwksAreIgnored() throws Exception {
        String jwks = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI\"}]}";
        assertEquals(0, IssuerKeys.parse(jwks).size());
    }

    @Test
    void tokenWithoutKubernetesClaimsIsRefused() {
        PublicJsonWebKey key = KubernetesIssuer.newKey(false);
        published.add(key);
        JwtClaims claims = claims();
        claims.unsetClaim("kubernetes.io");
        assertEquals(Reason.MISSING_CLAIMS, refusal(verifier(10), KubernetesIssuer.sign(claims, key)));
    }

    @Test
    void garbageIsMalformed() {
        assertEquals(Reason.MALFORMED_TOKEN, refusal(verifier(10), "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"));
    }
}
