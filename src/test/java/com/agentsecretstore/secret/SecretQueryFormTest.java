package com.agentsecretstore.secret;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** {@code /v1/secret?path=} is the same secret, the same rules and the same answers as {@code /v1/secrets/{path...}}. */
@QuarkusTest
class SecretQueryFormTest {

    @Test
    void aSecretWrittenByQueryIsTheSecretOfThePathForm() {
        String ns = Api.unique("query-form");
        String path = ns + "/stripe/api-key";
        String value = Api.sensitiveValue("query-form");
        Api.admin().queryParam("path", path).body(Map.of("value", value, "tier", "sensitive")).put("/v1/secret")
                .then().statusCode(201).body("path", equalTo(path)).body("current_version", equalTo(1));
        Api.putSecret(path, Api.sensitiveValue("query-form-2"), null).then().statusCode(200).body("current_version", equalTo(2));
        Map<String, Object> byQuery = Api.admin().queryParam("path", path).get("/v1/secret/versions")
                .then().statusCode(200).extract().jsonPath().getMap("");
        Map<String, Object> byPath = Api.admin().get("/v1/secrets/" + path + "/versions")
                .then().statusCode(200).extract().jsonPath().getMap("");
        assertEquals(byPath, byQuery);
    }

    @Test
    void aValueIsReadByQueryWithATokenLikeByPath() {
        String ns = Flow.namespaceWithTiers("query-read", 0);
        Api.Created agent = Api.principal("agent", ns);
        Response token = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*");
        token.then().statusCode(201);
        String value = token.path("value");
        Api.SENSITIVE.add(value);
        String byPath = Flow.read(agent.key(), value, ns + "/std/key").then().statusCode(200).extract().path("value");
        Api.as(agent.key()).header("X-Secret-Token", value).queryParam("path", ns + "/std/key").get("/v1/secret")
                .then().statusCode(200).body("value", equalTo(byPath)).body("path", equalTo(ns + "/std/key"));
        Api.as(agent.key()).queryParam("path", ns + "/std/key").get("/v1/secret")
                .then().statusCode(403).body("type", equalTo(ProblemType.FORBIDDEN.uri()));
    }

    @Test
    void aMissingOrInvalidPathIsAValidationProblemNamingPath() {
        Api.admin().body(Map.of("value", "x")).put("/v1/secret").then().statusCode(422)
                .body("type", equalTo(ProblemType.VALIDATION_FAILED.uri())).body("errors[0].field", equalTo("path"));
        Api.admin().queryParam("path", "onlyone").delete("/v1/secret").then().statusCode(422)
                .body("errors[0].field", equalTo("path"));
    }

    @Test
    void deleteByQueryRemovesTheSecret() {
        String path = Api.unique("query-delete") + "/a/b";
        Api.putSecret(path, Api.sensitiveValue("query-delete"), null).then().statusCode(201);
        Api.admin().queryParam("path", path).delete("/v1/secret").then().statusCode(204);
        Api.admin().get("/v1/secrets/" + path + "/versions").then().statusCode(404);
    }

    @Test
    void onlyAdminsWriteByQuery() {
        Api.Created agent = Api.principal("agent", "production");
        Api.as(agent.key()).queryParam("path", "production/x/y").body(Map.of("value", "x")).put("/v1/secret")
                .then().statusCode(403);
    }
}
