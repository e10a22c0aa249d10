package com.agentsecretstore.audit;

import static com.agentsecretstore.audit.AuditFixtures.awaitSealed;
import static com.agentsecretstore.audit.AuditFixtures.newEntry;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.crypto.SigningKey;
import com.agentsecretstore.support.Api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The audit endpoints of the signing key: public keys, the signed checkpoint, verify against it, rotation. */
@QuarkusTest
class AuditKeysTest {

    private static JsonPath checkpoint() {
        awaitSealed(newEntry());
        return Api.admin().get("/v1/audit/checkpoint").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void everyPrincipalMayReadThePublicKeys() {
        Api.as(Api.principal("agent", Api.unique("keys")).key()).get("/v1/audit/public-key").then().statusCode(200)
                .body("algorithm", equalTo("Ed25519"))
                .body("active_key_id", matchesPattern("ask_[0-9A-Z]{26}"))
                .body("keys.find { it.active }.public_key", matchesPattern("[A-Za-z0-9+/]{43}="));
    }

    @Test
    void theCheckpointIsTheNewestSealSignedByAPublishedKey() {
        JsonPath cp = checkpoint();
        String publicKey = Api.admin().get("/v1/audit/public-key").jsonPath()
                .getString("keys.find { it.key_id == '" + cp.getString("key_id") + "' }.public_key");
        SealStatement statement = new SealStatement(cp.getLong("seal_seq"), cp.getLong("first_seq"), cp.getLong("chain_seq"),
                HexFormat.of().parseHex(cp.getString("prev_hash")), HexFormat.of().parseHex(cp.getString("entry_hash")),
                Instant.parse(cp.getString("sealed_at")), cp.getString("key_id"));
        assertTrue(SigningKey.verify(Base64.getDecoder().decode(publicKey), statement.bytes(),
                Base64.getDecoder().decode(cp.getString("signature"))));
    }

    @Test
    void verifyComparesTheChainWithAnEarlierCheckpoint() {
        JsonPath cp = checkpoint();
        Api.admin().queryParam("chain_seq", cp.getLong("chain_seq")).queryParam("entry_hash", cp.getString("entry_hash"))
                .get("/v1/audit/verify").then().statusCode(200)
                .body("valid", equalTo(true)).body("checkpoint_matched", equalTo(true));
        Api.admin().queryParam("chain_seq", cp.getLong("chain_seq")).queryParam("entry_hash", "ab".repeat(32))
                .get("/v1/audit/verify").then().statusCode(200)
                .body("valid", equalTo(false)).body("checkpoint_matched", equalTo(false))
                .body("first_broken.chain_seq", equalTo((int) cp.getLong("chain_seq")));
    }

    @Test
    void aMalformedCheckpointIsRefused() {
        Api.admin().queryParam("chain_seq", "0").queryParam("entry_hash", "xyz").get("/v1/audit/verify").then().statusCode(422)
                .body("errors.field", hasItem("chain_seq")).body("errors.field", hasItem("entry_hash"));
        Api.admin().queryParam("chain_seq", "5").get("/v1/audit/verify").then().statusCode(422)
                .body("errors.field", hasItem("entry_hash"));
    }

    @Test
    void agentsMayNotReadTheCheckpoint() {
        Api.as(Api.principal("agent", Api.unique("keys")).key()).get("/v1/audit/checkpoint").then().statusCode(403);
    }

    @Test
    void onlyAdminsRotateAndTheOldKeyStaysPublishedAndVerifying() {
        Api.as(Api.principal("approver", Api.unique("keys")).key()).post("/v1/audit/signing-key/rotate").then().statusCode(403);
        String before = checkpoint().getString("key_id");
        String after = Api.admin().post("/v1/audit/signing-key/rotate").then().statusCode(200)
                .body("keys.find { it.key_id == '" + before + "' }.retired_at", notNullValue())
                .body("keys.find { it.key_id == '" + before + "' }.active", equalTo(false))
                .extract().path("active_key_id");
        assertNotEquals(before, after);
        await().atMost(AuditFixtures.SEAL_WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> after.equals(checkpoint().getString("key_id")));
        Api.admin().get("/v1/audit/verify").then().statusCode(200).body("valid", equalTo(true));
        Api.admin().queryParam("action", "audit.key.rotate").get("/v1/audit").then().statusCode(200)
                .body("items.target_id", hasItem(after)).body("items.details.public_key", not(hasItem((Object) null)));
    }
}
