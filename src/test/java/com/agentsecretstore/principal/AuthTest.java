package com.agentsecretstore.principal;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class AuthTest {

    @Test
    void revokedKeyGets401AtOnce() {
        Api.Created agent = Api.principal("agent");
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(200);
        String keyId = Api.admin().get("/v1/principals/" + agent.id()).path("keys[0].id");
        // A second key keeps the principal usable, so the 401 is about the revoked key alone.
        String spare = Api.admin().post("/v1/principals/" + agent.id() + "/keys").then().statusCode(201).extract().path("api_key");
        Api.SENSITIVE.add(spare);

        Api.admin().delete("/v1/principals/" + agent.id() + "/keys/" + keyId).then().statusCode(204);

        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(401);
        Api.as(spare).get("/v1/principals/me").then().statusCode(200);
    }

    @Test
    void principalRotatesItsOwnKey() {
        Api.Created approver = Api.principal("approver", "production");
        Response created = Api.as(approver.key()).post("/v1/principals/" + approver.id() + "/keys");
        created.then().statusCode(201).body("api_key", notNullValue());
        String next = created.path("api_key");
        Api.SENSITIVE.add(next);
        String oldKeyId = Api.as(next).get("/v1/principals/me").path("keys[0].id");

        Api.as(next).delete("/v1/principals/" + approver.id() + "/keys/" + oldKeyId).then().statusCode(204);

        Api.as(approver.key()).get("/v1/principals/me").then().statusCode(401);
        Api.as(next).get("/v1/principals/me").then().statusCode(200).body("id", equalTo(approver.id()));
    }

    @Test
    void disabledPrincipalGets401AtOnceAndComesBackWhenEnabled() {
        Api.Created agent = Api.principal("agent");
        Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + agent.id()).then().statusCode(200)
                .body("disabled", equalTo(true));
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(401);

        Api.admin().body(Map.of("disabled", false)).patch("/v1/principals/" + agent.id()).then().statusCode(200);
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(200);
    }

    @Test
    void principalCannotManageAnotherPrincipalsKeys() {
        Api.Created a = Api.principal("agent");
        Api.Created b = Api.principal("agent");
        Api.as(a.key()).post("/v1/principals/" + b.id() + "/keys").then().statusCode(403);
        Api.as(a.key()).get("/v1/principals/" + b.id()).then().statusCode(403);
    }

    @Test
    void wrongRoleGets403WithoutRevealingWhetherAPathExists() {
        Api.putSecret("leak/exists", Api.sensitiveValue("exists"), null).then().statusCode(201);
        Api.Created agent = Api.principal("agent", "leak");

        Response existing = Api.as(agent.key()).body(Map.of("value", "x")).put("/v1/secrets/leak/exists");
        Response missing = Api.as(agent.key()).body(Map.of("value", "x")).put("/v1/secrets/leak/missing");
        Response versionsExisting = Api.as(agent.key()).get("/v1/secrets/leak/exists/versions");
        Response versionsMissing = Api.as(agent.key()).get("/v1/secrets/leak/missing/versions");

        for (Response r : List.of(existing, missing, versionsExisting, versionsMissing)) {
            r.then().statusCode(403);
        }
        assertEquals((String) existing.path("detail"), (String) missing.path("detail"));
        assertEquals((String) versionsExisting.path("detail"), (String) versionsMissing.path("detail"));
    }

    @Test
    void anonymousGets401WithoutRevealingWhetherAPathExists() {
        Api.putSecret("leak/anon", Api.sensitiveValue("anon"), null).then().statusCode(201);
        Response existing = given().get("/v1/secrets/leak/anon/versions");
        Response missing = given().get("/v1/secrets/leak/nothing/versions");
        existing.then().statusCode(401);
        missing.then().statusCode(401);
        assertEquals((String) existing.path("detail"), (String) missing.path("detail"));
    }

    @Test
    void keyIsShownOnceAndStoredOnlyAsItsHash() throws Exception {
        Api.Created agent = Api.principal("agent");
        Api.admin().get("/v1/principals/" + agent.id()).then().statusCode(200)
                .body("$", not(hasKey("api_key")))
                .body("keys[0].prefix", equalTo(agent.key().substring(0, 8)));

        List<Map<String, Object>> rows = Db.query("select * from api_key where principal_id = ?", agent.id());
        assertEquals(1, rows.size());
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(agent.key().getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(expected, (byte[]) rows.get(0).get("hash"));
        for (Object column : rows.get(0).values()) {
            assertFalse(String.valueOf(column).contains(agent.key().substring(8)), "plaintext key stored in api_key");
        }
    }

    @Test
    void keyUseIsRecordedAsLastUsedAt() {
        Api.Created agent = Api.principal("agent");
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(200);
        Api.admin().get("/v1/principals/" + agent.id()).then().body("keys[0].last_used_at", notNullValue());
    }

    @Test
    void failedSignInIsAuditedWithoutTheKey() {
        String wrong = "ass_" + "W".repeat(43);
        Api.SENSITIVE.add(wrong);
        long before = Db.count("select count(*) from audit_entry where action = 'auth.failure'");
        Api.as(wrong).get("/v1/principals/me").then().statusCode(401);
        List<Map<String, Object>> rows = Db.query(
                "select * from audit_entry where action = 'auth.failure' order by id desc limit 1");
        assertEquals(before + 1, Db.count("select count(*) from audit_entry where action = 'auth.failure'"));
        assertEquals("denied", rows.get(0).get("outcome"));
        assertTrue(String.valueOf(rows.get(0).get("details")).contains("unknown_key"));
        rows.get(0).values().forEach(v -> assertFalse(String.valueOf(v).contains("WWWW")));
    }

    @Test
    void revokedKeyFailureIsAuditedWithItsKeyId() {
        Api.Created agent = Api.principal("agent");
        String keyId = Api.admin().get("/v1/principals/" + agent.id()).path("keys[0].id");
        Api.admin().delete("/v1/principals/" + agent.id() + "/keys/" + keyId).then().statusCode(204);
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(401);
        Map<String, Object> row = Db.query(
                "select * from audit_entry where action = 'auth.failure' and target_id = ?", keyId).get(0);
        assertNotNull(row.get("actor_id"));
        assertTrue(String.valueOf(row.get("details")).contains("revoked_key"));
    }

    @Test
    void lastEnabledAdminCannotBeDisabledNorLoseItsLastKey() {
        String adminId = Api.admin().get("/v1/principals/me").path("id");
        String keyId = Api.admin().get("/v1/principals/me").path("keys[0].id");
        List<Map<String, Object>> others = Db.query(
                "select id from principal where role = 'admin' and disabled = false and id <> ?", adminId);
        Db.update("update principal set disabled = true where role = 'admin' and id <> ?", adminId);
        try {
            Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + adminId).then().statusCode(409);
            Api.admin().delete("/v1/principals/" + adminId + "/keys/" + keyId).then().statusCode(409);
            Api.admin().get("/v1/principals/me").then().statusCode(200);
        } finally {
            others.forEach(o -> Db.update("update principal set disabled = false where id = ?", o.get("id")));
        }
    }

    @Test
    void anAdminCanBeDisabledWhileAnotherRemains() {
        Api.Created second = Api.principal("admin");
        Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + second.id()).then().statusCode(200);
        Api.as(second.key()).get("/v1/principals/me").then().statusCode(401);
    }

    @Test
    void duplicateNameIsAConflict() {
        Api.Created agent = Api.principal("agent");
        Api.admin().body(Map.of("name", agent.name(), "role", "agent")).post("/v1/principals").then().statusCode(409);
    }
}
