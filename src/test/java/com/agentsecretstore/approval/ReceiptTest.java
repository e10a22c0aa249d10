package com.agentsecretstore.approval;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.crypto.SigningKey;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * {@code GET /v1/approvals/{id}/receipt}: every way a request ends leaves a receipt signed by a
 * published key, holding what was asked, under which policy, and who decided what.
 */
@QuarkusTest
class ReceiptTest {

    @Inject
    TestClock clock;
    @Inject
    ApprovalJobs approvals;
    @Inject
    ObjectMapper json;

    /** Checks the signature against the published keys and returns the signed payload, parsed. */
    private JsonNode verified(Response receipt) throws Exception {
        receipt.then().statusCode(200).body("algorithm", equalTo("Ed25519"));
        String keyId = receipt.path("key_id");
        String payload = receipt.path("payload");
        JsonPath keys = Api.admin().get("/v1/audit/public-key").then().statusCode(200).extract().jsonPath();
        String publicKey = keys.getString("keys.find { it.key_id == '" + keyId + "' }.public_key");
        assertNotNull(publicKey, "the signing key " + keyId + " is not published");
        assertTrue(SigningKey.verify(Base64.getDecoder().decode(publicKey), ReceiptWriter.signedBytes(payload),
                Base64.getDecoder().decode((String) receipt.path("signature"))), "the receipt's signature does not verify");
        byte[] altered = ReceiptWriter.signedBytes(payload.replace("\"ttl_seconds\":300", "\"ttl_seconds\":30000"));
        assertFalse(SigningKey.verify(Base64.getDecoder().decode(publicKey), altered,
                Base64.getDecoder().decode((String) receipt.path("signature"))), "an altered payload still verifies");
        JsonNode signed = json.readTree(payload);
        assertEquals(keyId, signed.get("key_id").asText());
        assertEquals(receipt.path("request_id"), signed.get("request_id").asText());
        return signed;
    }

    private static Response receipt(String key, String id) {
        return Api.as(key).get("/v1/approvals/" + id + "/receipt");
    }

    @Test
    void aDeniedRequestHasAReceiptWithWhatWasAskedThePolicyAndTheDenial() throws Exception {
        String ns = Flow.namespaceWithTiers("rc-deny", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.deny(approver.key(), id, "not this week").then().statusCode(200);

        JsonNode r = verified(receipt(agent.key(), id));
        assertEquals(ReceiptApi.VERSION, r.get("version").asText());
        assertEquals(id, r.get("request_id").asText());
        assertEquals("denied", r.get("outcome").asText());
        assertEquals(agent.id(), r.get("requester").get("id").asText());
        assertEquals(agent.name(), r.get("requester").get("name").asText());
        assertEquals(ns, r.get("namespace").asText());
        assertEquals("secrets:read:" + ns + "/sens/*", r.get("scope").asText());
        assertEquals(List.of(ns + "/sens/key"), json.convertValue(r.get("secret_paths"), List.class));
        assertEquals("sensitive", r.get("tier").asText());
        assertEquals(300, r.get("ttl_seconds").asInt());
        assertEquals("test run", r.get("description").asText());
        Map<String, Object> policy = Db.query("select revision, document from namespace_policy where namespace = ?", ns).get(0);
        assertEquals(((Number) policy.get("revision")).intValue(), r.get("policy").get("revision").asInt());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(((String) policy.get("document")).getBytes(StandardCharsets.UTF_8))), r.get("policy").get("sha256").asText());
        assertEquals(1, r.get("decisions").size());
        JsonNode denial = r.get("decisions").get(0);
        assertEquals("deny", denial.get("kind").asText());
        assertEquals(approver.id(), denial.get("by").get("id").asText());
        assertEquals("not this week", denial.get("note").asText());
        assertNotNull(denial.get("at").asText());
        assertTrue(r.get("token_id").isNull());
        assertTrue(r.get("issue_at").isNull());
        assertEquals(0, r.get("delay_seconds").asInt());
        assertFalse(r.get("ended_at").isNull());
    }

    @Test
    void anIssuedRequestsReceiptNamesTheTokenAndEveryApproval() throws Exception {
        String ns = Flow.namespaceWithTiers("rc-issue", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
        Flow.approve(a1.key(), id).then().statusCode(200);
        String tokenId = Flow.approve(a2.key(), id).then().statusCode(200).extract().path("token_id");

        JsonNode r = verified(receipt(a1.key(), id));
        assertEquals("issued", r.get("outcome").asText());
        assertEquals(tokenId, r.get("token_id").asText());
        assertEquals(2, r.get("required_approvals").asInt());
        assertEquals(List.of(a1.id(), a2.id()), List.of(r.get("decisions").get(0).get("by").get("id").asText(),
                r.get("decisions").get(1).get("by").get("id").asText()));
        assertEquals("approve", r.get("decisions").get(1).get("kind").asText());
        assertEquals("ok", r.get("decisions").get(1).get("note").asText());
        writeSdkFixtures(id, agent.key());
    }

    @Test
    void aCancelledRequestHasAReceipt() throws Exception {
        String ns = Flow.namespaceWithTiers("rc-cancel", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.cancel(agent.key(), id).then().statusCode(200);
        JsonNode r = verified(receipt(agent.key(), id));
        assertEquals("cancelled", r.get("outcome").asText());
        assertEquals("changed my mind", r.get("decisions").get(0).get("note").asText());
    }

    @Test
    void anExpiredRequestHasAReceipt() throws Throwable {
        String ns = Flow.namespaceWithTiers("rc-expire", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        clock.advance(Duration.ofHours(2));
        try {
            VertxContextSupport.subscribeAndAwait(() -> approvals.expireStale());
        } finally {
            clock.reset();
        }
        // The scheduled job may have claimed the row first (SKIP LOCKED); then it commits the expiry.
        await().atMost(Duration.ofSeconds(60)).until(() -> receipt(Api.ADMIN_KEY, id).statusCode() == 200);
        JsonNode r = verified(receipt(Api.ADMIN_KEY, id));
        assertEquals("expired", r.get("outcome").asText());
        assertEquals(0, r.get("decisions").size());
    }

    @Test
    void anOpenRequestHasNoReceiptYet() {
        String ns = Flow.namespaceWithTiers("rc-open", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        receipt(agent.key(), id).then().statusCode(404).body("detail", containsString("pending"));
        assertEquals(0, Db.count("select count(*) from approval_receipt where request_id = ?", id));
    }

    @Test
    void onlyThoseWhoMaySeeTheRequestMayReadItsReceipt() {
        String ns = Flow.namespaceWithTiers("rc-see", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created otherAgent = Api.principal("agent", ns);
        Api.Created elsewhere = Api.principal("approver", Api.unique("rc-else"));
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.deny(approver.key(), id, "no").then().statusCode(200);

        receipt(agent.key(), id).then().statusCode(200);
        receipt(approver.key(), id).then().statusCode(200);
        receipt(Api.ADMIN_KEY, id).then().statusCode(200);
        receipt(otherAgent.key(), id).then().statusCode(404);
        receipt(elsewhere.key(), id).then().statusCode(404);
        receipt(agent.key(), "apr_00000000000000000000000000").then().statusCode(404);
    }

    @Test
    void theReceiptOutlivesItsRequest() throws Exception {
        String ns = Flow.namespaceWithTiers("rc-outlive", 0);
        Api.Created agent = Api.principal("agent", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.cancel(agent.key(), id).then().statusCode(200);
        Db.update("delete from approval_decision where request_id = ?", id);
        Db.update("delete from approval_request where id = ?", id);
        assertEquals("cancelled", verified(receipt(agent.key(), id)).get("outcome").asText());
    }

    /**
     * With {@code -Dagentsecretstore.sdk-fixtures=DIR}, saves a real receipt, the public keys and a
     * checkpoint as the service sends them, for the Python SDK's offline tests
     * ({@code clients/python/tests/fixtures}).
     */
    private void writeSdkFixtures(String id, String key) throws Exception {
        String dir = System.getProperty("agentsecretstore.sdk-fixtures");
        if (dir == null) {
            return;
        }
        Path out = Path.of(dir);
        Files.createDirectories(out);
        Files.writeString(out.resolve("receipt.json"), receipt(key, id).asString());
        Files.writeString(out.resolve("public-key.json"), Api.admin().get("/v1/audit/public-key").asString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> Api.admin().get("/v1/audit/checkpoint").statusCode() == 200);
        Files.writeString(out.resolve("checkpoint.json"), Api.admin().get("/v1/audit/checkpoint").asString());
    }
}
