package com.agentsecretstore.token;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.TestClock;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every way a token can fail to authorize a read is a 403 with an audit row saying why. */
@QuarkusTest
class SecretReadTest {

    @Inject
    TestClock clock;

    record Setup(String ns, Api.Created agent, String token) {
    }

    private static Setup standardToken(String base) {
        String ns = Flow.namespaceWithTiers(base, 0);
        Api.Created agent = Api.principal("agent", ns);
        Response r = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*");
        r.then().statusCode(201);
        String token = r.path("value");
        Api.SENSITIVE.add(token);
        return new Setup(ns, agent, token);
    }

    private static void assertDeniedAndAudited(Response r, String path, String reason) {
        r.then().statusCode(403).body("status", equalTo(403));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'denied' "
                + "and path = ? and details like ?", path, "%\"" + reason + "\"%"), "audit row for " + reason);
    }

    @Test
    void aTokenOfAnotherAgentIsRefused() {
        Setup s = standardToken("read-other");
        Api.Created thief = Api.principal("agent", s.ns());
        assertDeniedAndAudited(Flow.read(thief.key(), s.token(), s.ns() + "/std/key"), s.ns() + "/std/key", "other_principal");
    }

    @Test
    void anExpiredTokenIsRefused() {
        Setup s = standardToken("read-expired");
        clock.advance(Duration.ofSeconds(301));
        try {
            assertDeniedAndAudited(Flow.read(s.agent().key(), s.token(), s.ns() + "/std/key"), s.ns() + "/std/key",
                    "expired_token");
        } finally {
            clock.reset();
        }
    }

    @Test
    void aRevokedTokenIsRefused() {
        Setup s = standardToken("read-revoked");
        String tokenId = Db.query("select id from token where principal_id = ?", s.agent().id()).get(0).get("id").toString();
        Api.as(s.agent().key()).post("/v1/tokens/" + tokenId + "/revoke").then().statusCode(200);
        assertDeniedAndAudited(Flow.read(s.agent().key(), s.token(), s.ns() + "/std/key"), s.ns() + "/std/key",
                "revoked_token");
    }

    @Test
    void aPathOutsideTheScopeIsRefused() {
        Setup s = standardToken("read-scope");
        assertDeniedAndAudited(Flow.read(s.agent().key(), s.token(), s.ns() + "/sens/key"), s.ns() + "/sens/key",
                "out_of_scope");
    }

    @Test
    void aSecretAddedLaterAtAHigherTierIsNotReadableWithAnOlderToken() {
        Setup s = standardToken("read-later");
        Flow.read(s.agent().key(), s.token(), s.ns() + "/std/key").then().statusCode(200);
        Api.putSecret(s.ns() + "/std/new-critical", Api.sensitiveValue("later"), "critical").then().statusCode(201);
        assertDeniedAndAudited(Flow.read(s.agent().key(), s.token(), s.ns() + "/std/new-critical"),
                s.ns() + "/std/new-critical", "tier_too_low");
    }

    @Test
    void raisingASecretsTierLocksOutOlderLowerTierTokens() {
        Setup s = standardToken("read-raise");
        Api.admin().body(Map.of("value", Api.sensitiveValue("raised"), "tier", "sensitive"))
                .put("/v1/secrets/" + s.ns() + "/std/key").then().statusCode(200);
        assertDeniedAndAudited(Flow.read(s.agent().key(), s.token(), s.ns() + "/std/key"), s.ns() + "/std/key",
                "tier_too_low");
    }

    @Test
    void loweringASecretsTierLeavesItsOlderVersionsAtTheStricterTier() {
        String ns = Flow.namespaceWithTiers("read-lower", 0);
        String path = ns + "/std/lowered";
        Api.putSecret(path, Api.sensitiveValue("critical-v1"), "critical").then().statusCode(201);
        String v2 = Api.sensitiveValue("standard-v2");
        Api.putSecret(path, v2, "standard").then().statusCode(200);
        Api.Created agent = Api.principal("agent", ns);
        Response r = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*");
        r.then().statusCode(201).body("tier", equalTo("standard"));
        String token = r.path("value");
        Flow.read(agent.key(), token, path).then().statusCode(200).body("value", equalTo(v2)).body("version", equalTo(2));
        Api.as(agent.key()).header("X-Secret-Token", token).get("/v1/secrets/" + path + "?version=1")
                .then().statusCode(403);
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'denied' "
                + "and path = ? and details like ?", path, "%\"tier_too_low\"%"));
    }

    @Test
    void raisingASecretsTierRaisesItsOlderVersionsForGood() {
        String ns = Flow.namespaceWithTiers("read-raise-history", 0);
        String path = ns + "/std/history";
        Api.putSecret(path, Api.sensitiveValue("v1"), "standard").then().statusCode(201);
        Api.putSecret(path, Api.sensitiveValue("v2"), "critical").then().statusCode(200);
        Api.putSecret(path, Api.sensitiveValue("v3"), "standard").then().statusCode(200);
        assertEquals(java.util.List.of("critical", "critical", "standard"), Db.query(
                "select tier from secret_version where path = ? order by version", path).stream()
                .map(row -> row.get("tier")).toList());
    }

    @Test
    void aReadWithoutATokenIsRefused() {
        Setup s = standardToken("read-none");
        assertDeniedAndAudited(Flow.read(s.agent().key(), null, s.ns() + "/std/key"), s.ns() + "/std/key", "missing_token");
    }

    @Test
    void anUnknownTokenIsRefused() {
        Setup s = standardToken("read-unknown");
        assertDeniedAndAudited(Flow.read(s.agent().key(), "ast_" + "Z".repeat(43), s.ns() + "/std/key"),
                s.ns() + "/std/key", "unknown_token");
    }

    @Test
    void aReadIsAuditedAndOlderVersionsAreReadable() {
        Setup s = standardToken("read-ok");
        String second = Api.sensitiveValue("second");
        Api.admin().body(Map.of("value", second)).put("/v1/secrets/" + s.ns() + "/std/key").then().statusCode(200);
        Flow.read(s.agent().key(), s.token(), s.ns() + "/std/key").then().statusCode(200)
                .body("value", equalTo(second)).body("version", equalTo(2));
        Api.as(s.agent().key()).header("X-Secret-Token", s.token()).get("/v1/secrets/" + s.ns() + "/std/key?version=1")
                .then().statusCode(200).body("version", equalTo(1));
        assertEquals(2, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'success' "
                + "and path = ?", s.ns() + "/std/key"));
    }

    @Test
    void aCollectedTokenIsReplacedByTheNextCollection() {
        String ns = Flow.namespaceWithTiers("read-collect", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.approve(approver.key(), id).then().statusCode(200);
        String first = Flow.collect(agent.key(), id);
        String second = Flow.collect(agent.key(), id);
        Flow.read(agent.key(), first, ns + "/sens/key").then().statusCode(403);
        Flow.read(agent.key(), second, ns + "/sens/key").then().statusCode(200);
        Api.Created approverCollects = approver;
        Api.as(approverCollects.key()).get("/v1/approvals/" + id + "/token").then().statusCode(403);
    }
}
