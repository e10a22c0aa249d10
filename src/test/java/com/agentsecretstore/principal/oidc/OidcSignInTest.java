package com.agentsecretstore.principal.oidc;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.Keycloak;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * People sign in with tokens from a real Keycloak: their principal follows their groups, and
 * tokens that are not genuine, current and meant for this service are refused. Its own boot, with
 * OIDC on; Quarkus's class orderer keeps it apart from the default boot's classes.
 */
@QuarkusTest
@TestProfile(OidcProfile.class)
class OidcSignInTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    OidcBearerCache bearers;

    @Test
    void firstBearerCallCreatesThePrincipalWithRoleAndNamespacesFromGroups() {
        String token = Keycloak.token("bob");
        String subject = claim(token, "sub");

        Response me = bearer(token).get("/v1/principals/me");
        me.then().statusCode(200).body("role", equalTo("approver")).body("namespaces", equalTo(List.of("production")))
                .body("oidc_identity.issuer", equalTo(Keycloak.ISSUER)).body("oidc_identity.subject", equalTo(subject))
                .body("email", equalTo("bob@example.com"));
        bearer(token).get("/v1/principals/me").then().statusCode(200).body("id", equalTo(me.path("id")));

        assertEquals(1, Db.count("select count(*) from principal where oidc_issuer = ? and oidc_subject = ?",
                Keycloak.ISSUER, subject));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'principal.provision' and target_id = ? "
                + "and details like ?", me.path("id"), "%" + subject + "%"));
    }

    @Test
    void adminGroupMakesAnAdmin() {
        String token = Keycloak.token("ada");
        bearer(token).get("/v1/principals/me").then().statusCode(200).body("role", equalTo("admin"));
        bearer(token).get("/v1/principals").then().statusCode(200);
    }

    @Test
    void aRequestWhoseTokenChangesNothingWritesNothing() {
        String token = Keycloak.token("bob");
        String id = bearer(token).get("/v1/principals/me").then().statusCode(200).extract().path("id");
        Object updatedAt = Db.query("select updated_at from principal where id = ?", id).get(0).get("updated_at");
        long audited = Db.count("select count(*) from audit_entry where target_id = ?", id);

        bearer(token).get("/v1/principals/me").then().statusCode(200);
        bearer(Keycloak.token("bob")).get("/v1/principals/me").then().statusCode(200);

        assertEquals(updatedAt, Db.query("select updated_at from principal where id = ?", id).get(0).get("updated_at"));
        assertEquals(audited, Db.count("select count(*) from audit_entry where target_id = ?", id));
    }

    @Test
    void personInNoRoleGroupGets403AndNoPrincipal() {
        String token = Keycloak.token("nora");
        String subject = claim(token, "sub");
        // The dashboard's sign-in test refuses the same person: count only this refusal, whatever ran before.
        String refusals = "select count(*) from audit_entry where action = 'auth.failure' and details like ? "
                + "and details like '%no_role_group%'";
        long before = Db.count(refusals, "%" + subject + "%");

        bearer(token).get("/v1/principals/me").then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("neither the admin nor the approver"));

        assertEquals(0, Db.count("select count(*) from principal where oidc_subject = ?", subject));
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.count(refusals, "%" + subject + "%") == before + 1);
    }

    @Test
    void approvalByASignedInPersonIsAttributedToTheirPrincipal() {
        String token = Keycloak.token("alice");
        String aliceId = bearer(token).get("/v1/principals/me").then().statusCode(200).extract().path("id");
        String sub = Api.unique("oidc");
        Api.admin().body(Map.of("default_tier", "standard", "path_overrides", List.of(
                Map.of("pattern", "production/oidc-*/*", "tier", "sensitive", "required_approvals", 1))))
                .put("/v1/namespaces/production/policy").then().statusCode(200);
        Api.putSecret("production/" + sub + "/key", Api.sensitiveValue("oidc"), null).then().statusCode(201);
        Api.Created agent = Api.principal("agent", "production");
        String request = Flow.pending(agent.key(), "secrets:read:production/" + sub + "/key");

        bearer(token).body(Map.of("comment", "ok")).post("/v1/approvals/" + request + "/approve").then().statusCode(200);

        Api.admin().get("/v1/approvals/" + request).then().statusCode(200)
                .body("approvals", hasSize(1)).body("approvals[0].approver_id", equalTo(aliceId));
    }

    @Test
    void leavingANamespaceGroupRemovesTheNamespaceOnTheNextRequest() {
        String before = Keycloak.token("alice");
        String id = bearer(before).get("/v1/principals/me").then().statusCode(200)
                .body("namespaces", equalTo(List.of("production"))).extract().path("id");
        Keycloak.leaveGroup("alice", "ass-ns-production");
        try {
            bearer(Keycloak.token("alice")).get("/v1/principals/me").then().statusCode(200)
                    .body("id", equalTo(id)).body("namespaces", empty());
            assertEquals(1, Db.count("select count(*) from audit_entry where action = 'principal.sync' and target_id = ? "
                    + "and details like '%\"previous_namespaces\":[\"production\"]%'", id));
        } finally {
            Keycloak.joinGroup("alice", "ass-ns-production");
        }
        bearer(Keycloak.token("alice")).get("/v1/principals/me").then().statusCode(200)
                .body("namespaces", equalTo(List.of("production")));
    }

    @Test
    void disabledPrincipalIsRefusedEvenWithAValidToken() {
        String username = Keycloak.newUser("dora", "ass-approvers");
        String token = Keycloak.token(username);
        String id = bearer(token).get("/v1/principals/me").then().statusCode(200).extract().path("id");

        Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + id).then().statusCode(200);

        // The token's signature check is remembered, the sign-in is not: the refusal is made on the cached path.
        assertTrue(bearers.verified(token).isPresent());
        bearer(token).get("/v1/principals/me").then().statusCode(401).contentType("application/problem+json");
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.count("select count(*) from audit_entry where action = 'auth.failure' "
                + "and target_id = ? and details like '%disabled_principal%'", id) == 1);
        assertEquals(1, Db.count("select count(*) from principal where disabled and id = ?", id));
    }

    @Test
    void adminLinksAnExistingPrincipalToAPerson() {
        String username = Keycloak.newUser("lena", "ass-approvers", "ass-ns-production");
        Api.Created existing = Api.principal("approver");
        Api.Created other = Api.principal("approver");
        Api.Created agent = Api.principal("agent");
        Map<String, String> identity = Map.of("issuer", Keycloak.ISSUER, "subject", Keycloak.userId(username));

        Api.admin().body(identity).put("/v1/principals/" + existing.id() + "/oidc-identity").then().statusCode(200)
                .body("oidc_identity.subject", equalTo(identity.get("subject")));
        Api.admin().body(identity).put("/v1/principals/" + other.id() + "/oidc-identity").then().statusCode(409);
        Api.admin().body(identity).put("/v1/principals/" + agent.id() + "/oidc-identity").then().statusCode(422);
        Api.as(existing.key()).body(identity).put("/v1/principals/" + existing.id() + "/oidc-identity").then().statusCode(403);

        bearer(Keycloak.token(username)).get("/v1/principals/me").then().statusCode(200)
                .body("id", equalTo(existing.id())).body("namespaces", equalTo(List.of("production")));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'principal.oidc.link' and target_id = ?",
                existing.id()));
    }

    @Test
    void forgedTokenIsRefusedAndChangesNothing() throws Exception {
        String genuine = Keycloak.token("alice");
        String[] parts = genuine.split("\\.");
        ObjectNode payload = (ObjectNode) JSON.readTree(decode(parts[1]));
        ((ArrayNode) payload.withArray("groups")).add("ass-admins");
        String forged = parts[0] + "." + encode(JSON.writeValueAsBytes(payload)) + "." + parts[2];

        refused(forged, "RS256");
        assertEquals(0, Db.count("select count(*) from principal where oidc_subject = ? and role = 'admin'", claim(genuine, "sub")));
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        String genuine = Keycloak.token("alice");
        String header = encode("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        refused(header + "." + genuine.split("\\.")[1] + ".", "none");
    }

    @Test
    void tokenSignedWithThePublicKeyAsHmacSecretIsRefused() throws Exception {
        String genuine = Keycloak.token("alice");
        String publicKey = Keycloak.realmPublicKey();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + publicKey + "\n-----END PUBLIC KEY-----\n";
        String header = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String signingInput = header + "." + genuine.split("\\.")[1];
        for (byte[] secret : List.of(pem.getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(publicKey))) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            refused(signingInput + "." + encode(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII))), "HS256");
        }
    }

    @Test
    void tokenForAnotherAudienceIsRefused() {
        refused(Keycloak.token("alice", "other-service", "other-service-test-secret"), "RS256");
    }

    @Test
    void tokenFromAnotherIssuerIsRefused() {
        refused(Keycloak.masterAdminToken(), "RS256");
    }

    @Test
    void expiredTokenIsRefused() {
        String token = Keycloak.token("alice", "short-lived", "short-lived-test-secret");
        bearer(token).get("/v1/principals/me").then().statusCode(200);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> bearer(token).get("/v1/principals/me").statusCode() == 401);
        assertTrue(Instant.ofEpochSecond(Long.parseLong(claim(token, "exp"))).isBefore(Instant.now()));
        bearer(token).get("/v1/principals/me").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void apiKeysKeepWorkingWithSignInOn() {
        Api.admin().get("/v1/principals/me").then().statusCode(200).body("role", equalTo("admin"));
        Api.Created agent = Api.principal("agent", "production");
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(200).body("id", equalTo(agent.id()));
        Api.as("ass_NoSuchKey00000000000000000000000000000000000").get("/v1/principals/me").then().statusCode(401)
                .contentType("application/problem+json");
        Api.as("not-a-key").get("/v1/principals/me").then().statusCode(401);
    }

    /** A refused bearer: 401 problem+json, audited with the algorithm it claimed, no principal written, no token kept. */
    private static void refused(String token, String claimedAlg) {
        long principals = Db.count("select count(*) from principal");
        long failures = failures(claimedAlg);
        bearer(token).get("/v1/principals/me").then().statusCode(401).contentType("application/problem+json");
        assertEquals(principals, Db.count("select count(*) from principal"));
        await().atMost(Duration.ofSeconds(30)).until(() -> failures(claimedAlg) > failures);
        String signature = token.substring(token.lastIndexOf('.') + 1);
        if (!signature.isEmpty()) {
            assertEquals(0, Db.count("select count(*) from audit_entry where details like ?", "%" + signature + "%"));
        }
    }

    private static long failures(String claimedAlg) {
        return Db.count("select count(*) from audit_entry where action = 'auth.failure' and details like '%invalid_token%' "
                + "and details like ?", "%\"claimed_alg\":\"" + claimedAlg + "\"%");
    }

    private static io.restassured.specification.RequestSpecification bearer(String token) {
        return Api.as(token);
    }

    private static String claim(String token, String name) {
        try {
            return JSON.readTree(decode(token.split("\\.")[1])).get(name).asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
