package com.agentsecretstore.principal.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.KubernetesIssuer;
import com.agentsecretstore.support.KubernetesIssuerResource;
import com.agentsecretstore.support.SseClient;
import com.agentsecretstore.support.TestClock;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@QuarkusTestResource(KubernetesIssuerResource.class)
class KubernetesAuthTest {

    @Inject
    TestClock clock;

    /** An agent bound to a fresh service account of cluster-a's namespace {@code team-a}. */
    private record Bound(Api.Created agent, String namespace, String serviceAccount) {
        String account() {
            return namespace + "/" + serviceAccount;
        }
    }

    private static KubernetesIssuer issuer() {
        return KubernetesIssuerResource.issuer();
    }

    private static Bound bound() {
        String sa = "runner-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Created agent = Api.principal("agent", "team-a");
        Api.admin().body(Map.of("kubernetes_service_accounts", List.of("team-a/" + sa)))
                .patch("/v1/principals/" + agent.id()).then().statusCode(200);
        return new Bound(agent, "team-a", sa);
    }

    private static JwtClaims claims(String cluster, Bound b, String podUid) {
        return KubernetesIssuer.claims(issuer().url(cluster), b.namespace(), b.serviceAccount(), "runner-7d9f-x2k4", podUid);
    }

    private static String token(String cluster, Bound b) {
        return sign(claims(cluster, b, UUID.randomUUID().toString()), issuer().get(cluster).signingKey());
    }

    private static String sign(JwtClaims claims, PublicJsonWebKey key) {
        String token = KubernetesIssuer.sign(claims, key);
        Api.SENSITIVE.add(token);
        return token;
    }

    private static long keysOf(String principalId) {
        return Db.count("select count(*) from api_key where principal_id = ?", principalId);
    }

    private static long failures(String reason) {
        return Db.count("select count(*) from audit_entry where action = 'auth.failure' and details::jsonb ->> 'reason' = ?"
                + " and details::jsonb ->> 'mechanism' = 'kubernetes'", reason);
    }

    /** The attack is refused with 401 problem+json, audited with {@code reason}, and changes nothing. */
    private static void refused(String token, Bound b, String reason) {
        long before = failures(reason);
        long keys = keysOf(b.agent().id());
        Response r = Api.as(token).post("/v1/principals/" + b.agent().id() + "/keys");
        r.then().statusCode(401).contentType(containsString("application/problem+json")).body("status", equalTo(401));
        assertEquals(before + 1, failures(reason), "one audited refusal: " + reason);
        assertEquals(keys, keysOf(b.agent().id()), "nothing changed");
    }

    @Test
    void boundServiceAccountTokenAuthenticatesAsItsAgent() {
        Bound b = bound();
        Api.as(token("cluster-a", b)).get("/v1/principals/me").then().statusCode(200)
                .body("id", equalTo(b.agent().id()))
                .body("kubernetes_service_accounts", equalTo(List.of(b.account())));
    }

    @Test
    void ecSignedTokenOfAClusterWithAConfiguredJwksUrlAuthenticates() {
        Bound b = bound();
        Api.as(token("cluster-b", b)).get("/v1/principals/me").then().statusCode(200).body("id", equalTo(b.agent().id()));
    }

    @Test
    void everyCallRecordsThePodInItsAuditEntry() {
        Bound b = bound();
        String podUid = UUID.randomUUID().toString();
        String token = sign(claims("cluster-a", b, podUid), issuer().get("cluster-a").signingKey());
        Response created = Api.as(token).post("/v1/principals/" + b.agent().id() + "/keys");
        created.then().statusCode(201);
        Api.SENSITIVE.add(created.path("api_key"));
        String keyId = created.path("id");
        Map<String, Object> entry = Db.query("select actor_id, details::jsonb -> 'workload' ->> 'pod' as pod, "
                + "details::jsonb -> 'workload' ->> 'pod_uid' as pod_uid, details::jsonb -> 'workload' ->> 'service_account' as sa "
                + "from audit_entry where action = 'principal.key.create' and details::jsonb ->> 'key_id' = ?", keyId).get(0);
        assertEquals(b.agent().id(), entry.get("actor_id"));
        assertEquals("runner-7d9f-x2k4", entry.get("pod"));
        assertEquals(podUid, entry.get("pod_uid"));
        assertEquals(b.serviceAccount(), entry.get("sa"));
    }

    @Test
    void validTokenOfAnUnboundServiceAccountIs401AndAudited() {
        Bound b = bound();
        String podUid = UUID.randomUUID().toString();
        Bound unbound = new Bound(b.agent(), "team-a", "nobody-" + UUID.randomUUID().toString().substring(0, 8));
        String token = sign(claims("cluster-a", unbound, podUid), issuer().get("cluster-a").signingKey());
        refused(token, b, "unbound_service_account");
        Map<String, Object> entry = Db.query("select details::jsonb ->> 'service_account' as sa, "
                + "details::jsonb -> 'workload' ->> 'pod_uid' as pod_uid from audit_entry where action = 'auth.failure' "
                + "and details::jsonb ->> 'service_account' = ?", unbound.account()).get(0);
        assertEquals(podUid, entry.get("pod_uid"));
    }

    @Test
    void unbindingTakesEffectOnTheNextCall() {
        Bound b = bound();
        String token = token("cluster-a", b);
        Api.as(token).get("/v1/principals/me").then().statusCode(200);
        Api.admin().body(Map.of("kubernetes_service_accounts", List.of())).patch("/v1/principals/" + b.agent().id())
                .then().statusCode(200).body("kubernetes_service_accounts", equalTo(List.of()));
        refused(token, b, "unbound_service_account");
    }

    @Test
    void unbindingEndsAFeedOpenedWithTheToken() {
        Bound b = bound();
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        try (SseClient client = new SseClient("http://127.0.0.1:" + port + "/v1/events/stream", token("cluster-a", b), null)) {
            await().atMost(Duration.ofSeconds(20)).until(client::connected);
            Api.admin().body(Map.of("kubernetes_service_accounts", List.of())).patch("/v1/principals/" + b.agent().id())
                    .then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.ended);
        }
    }

    @Test
    void disabledAgentsTokenIs401() {
        Bound b = bound();
        String token = token("cluster-a", b);
        Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + b.agent().id()).then().statusCode(200);
        refused(token, b, "disabled_principal");
    }

    @Test
    void tokenForAnotherAudienceIsRefused() {
        Bound b = bound();
        JwtClaims claims = claims("cluster-a", b, UUID.randomUUID().toString());
        claims.setAudience("https://kubernetes.default.svc");
        refused(sign(claims, issuer().get("cluster-a").signingKey()), b, "wrong_audience");
    }

    @Test
    void tokenOfAnUnconfiguredIssuerIsRefused() {
        Bound b = bound();
        JwtClaims claims = claims("cluster-a", b, UUID.randomUUID().toString());
        claims.setIssuer("https://evil.example.com");
        refused(sign(claims, issuer().get("cluster-a").signingKey()), b, "unknown_issuer");
    }

    @Test
    void expiredTokenIsRefused() {
        Bound b = bound();
        JwtClaims claims = claims("cluster-a", b, UUID.randomUUID().toString());
        long now = Instant.now().getEpochSecond();
        claims.setIssuedAt(NumericDate.fromSeconds(now - 7200));
        claims.setNotBefore(NumericDate.fromSeconds(now - 7200));
        claims.setExpirationTime(NumericDate.fromSeconds(now - 3600));
        refused(sign(claims, issuer().get("cluster-a").signingKey()), b, "expired");
    }

    @Test
    void tokenNotYetValidIsRefused() {
        Bound b = bound();
        JwtClaims claims = claims("cluster-a", b, UUID.randomUUID().toString());
        claims.setNotBefore(NumericDate.fromSeconds(Instant.now().getEpochSecond() + 600));
        refused(sign(claims, issuer().get("cluster-a").signingKey()), b, "not_yet_valid");
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        Bound b = bound();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims("cluster-a", b, UUID.randomUUID().toString()).toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setKeyIdHeaderValue(issuer().get("cluster-a").signingKey().getKeyId());
        jws.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
        String token = jws.getCompactSerialization();
        Api.SENSITIVE.add(token);
        refused(token, b, "disallowed_algorithm");
    }

    @Test
    void hs256TokenSignedWithThePublicKeyIsRefused() throws Exception {
        Bound b = bound();
        PublicJsonWebKey key = issuer().get("cluster-a").signingKey();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims("cluster-a", b, UUID.randomUUID().toString()).toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setKey(new HmacKey(key.getPublicKey().getEncoded()));
        jws.setDoKeyValidation(false);
        String token = jws.getCompactSerialization();
        Api.SENSITIVE.add(token);
        refused(token, b, "disallowed_algorithm");
    }

    @Test
    void tokenSignedWithAnotherClustersKeyIsRefused() {
        Bound b = bound();
        // cluster-a's issuer, signed by cluster-b's (valid, published) key: that key is not cluster-a's.
        refused(sign(claims("cluster-a", b, UUID.randomUUID().toString()), issuer().get("cluster-b").signingKey()), b,
                "unknown_key");
    }

    @Test
    void tokenForgedUnderAKnownKeyIdIsRefused() {
        Bound b = bound();
        PublicJsonWebKey genuine = issuer().get("cluster-a").signingKey();
        PublicJsonWebKey forger = KubernetesIssuer.newKey(genuine instanceof org.jose4j.jwk.EllipticCurveJsonWebKey);
        forger.setKeyId(genuine.getKeyId());
        refused(sign(claims("cluster-a", b, UUID.randomUUID().toString()), forger), b, "bad_signature");
    }

    @Test
    void tokenWhoseSubjectDisagreesWithItsKubernetesClaimsIsRefused() {
        Bound b = bound();
        JwtClaims claims = claims("cluster-a", b, UUID.randomUUID().toString());
        claims.setSubject("system:serviceaccount:kube-system:default");
        refused(sign(claims, issuer().get("cluster-a").signingKey()), b, "missing_claims");
    }

    @Test
    void rotatedSigningKeyIsFetchedAndTheRetiredOneNoLongerVerifies() {
        Bound b = bound();
        PublicJsonWebKey old = issuer().get("cluster-a").signingKey();
        Api.as(token("cluster-a", b)).get("/v1/principals/me").then().statusCode(200);
        try {
            issuer().rotate("cluster-a", true, false);
            // Past the refetch interval, whatever other tests fetched just before.
            clock.advance(Duration.ofMinutes(1));
            Api.as(token("cluster-a", b)).get("/v1/principals/me").then().statusCode(200).body("id", equalTo(b.agent().id()));
            refused(sign(claims("cluster-a", b, UUID.randomUUID().toString()), old), b, "unknown_key");
        } finally {
            clock.reset();
        }
    }

    @Test
    void unreachableIssuerGives503ProblemJson() {
        Bound b = bound();
        String token = sign(KubernetesIssuer.claims(issuer().url("cluster-down"), b.namespace(), b.serviceAccount(), "p",
                UUID.randomUUID().toString()), issuer().get("cluster-down").signingKey());
        Api.as(token).get("/v1/principals/me").then().statusCode(503)
                .contentType(containsString("application/problem+json"));
    }

    @Test
    void bindingsAreShownAndReplaced() {
        Bound b = bound();
        String other = "team-b/" + UUID.randomUUID().toString().substring(0, 8);
        Api.admin().body(Map.of("kubernetes_service_accounts", List.of(other, b.account(), other)))
                .patch("/v1/principals/" + b.agent().id()).then().statusCode(200)
                .body("kubernetes_service_accounts", equalTo(List.of(b.account(), other).stream().sorted().toList()));
        Api.admin().get("/v1/principals/" + b.agent().id()).then().statusCode(200)
                .body("kubernetes_service_accounts", equalTo(List.of(b.account(), other).stream().sorted().toList()));
    }

    @Test
    void agentCreatedWithABinding() {
        String account = "team-c/" + UUID.randomUUID().toString().substring(0, 8);
        Response r = Api.admin().body(Map.of("name", Api.unique("agent"), "role", "agent",
                "kubernetes_service_accounts", List.of(account))).post("/v1/principals");
        r.then().statusCode(201).body("kubernetes_service_accounts", equalTo(List.of(account)));
        Api.SENSITIVE.add(r.path("api_key"));
    }

    @Test
    void serviceAccountBoundToAnotherPrincipalIs409() {
        Bound b = bound();
        Api.Created other = Api.principal("agent");
        Api.admin().body(Map.of("kubernetes_service_accounts", List.of(b.account())))
                .patch("/v1/principals/" + other.id()).then().statusCode(409)
                .contentType(containsString("application/problem+json"));
        Api.admin().body(Map.of("name", Api.unique("agent"), "role", "agent",
                "kubernetes_service_accounts", List.of(b.account()))).post("/v1/principals").then().statusCode(409);
        Api.admin().get("/v1/principals/" + other.id()).then().body("kubernetes_service_accounts", equalTo(List.of()));
    }

    @Test
    void malformedServiceAccountIs422() {
        Api.Created agent = Api.principal("agent");
        for (String bad : List.of("no-slash", "Team/Upper", "a/b/c", "/sa", "ns/", "-ns/sa", "ns/sa-")) {
            Api.admin().body(Map.of("kubernetes_service_accounts", List.of(bad))).patch("/v1/principals/" + agent.id())
                    .then().statusCode(422).body("errors[0].field", containsString("kubernetes_service_accounts"));
        }
    }

    @Test
    void onlyAgentsHaveServiceAccounts() {
        Api.Created approver = Api.principal("approver", "team-a");
        Api.admin().body(Map.of("kubernetes_service_accounts", List.of("team-a/approver")))
                .patch("/v1/principals/" + approver.id()).then().statusCode(422)
                .body("errors[0].field", equalTo("kubernetes_service_accounts"));
        Api.admin().body(Map.of("name", Api.unique("approver"), "role", "approver",
                "kubernetes_service_accounts", List.of("team-a/approver"))).post("/v1/principals").then().statusCode(422);
    }
}
