package com.agentsecretstore.common;

import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** No API response may be kept by a cache: values, tokens and keys travel in them. */
@QuarkusTest
class NoStoreTest {

    @Test
    void aCreatedApiKeyIsNotCacheable() {
        Response r = Api.admin().body(Map.of("name", Api.unique("nostore"), "role", "agent")).post("/v1/principals");
        Api.SENSITIVE.add(r.path("api_key"));
        r.then().statusCode(201).header("Cache-Control", equalTo("no-store")).header("Pragma", equalTo("no-cache"));
    }

    @Test
    void anIssuedTokenAndARevealedValueAreNotCacheable() {
        String ns = Flow.namespaceWithTiers("nostore", 0);
        Api.Created agent = Api.principal("agent", ns);
        Response issued = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*");
        issued.then().statusCode(201).header("Cache-Control", equalTo("no-store"));
        Flow.read(agent.key(), issued.path("value"), ns + "/std/key").then().statusCode(200)
                .header("Cache-Control", equalTo("no-store")).header("Pragma", equalTo("no-cache"));
    }

    @Test
    void errorsAndRefusalsAreNotCacheableEither() {
        Api.as("ass_" + "x".repeat(40)).get("/v1/principals/me").then().statusCode(401)
                .header("Cache-Control", equalTo("no-store"));
        Api.admin().get("/v1/secrets/a/../b").then().statusCode(400).header("Cache-Control", equalTo("no-store"));
    }
}
