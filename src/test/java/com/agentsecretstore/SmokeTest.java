package com.agentsecretstore;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SmokeTest {

    @Test
    void adminCreatesAgentAndWritesSecret() {
        Api.Created agent = Api.principal("agent", "production");
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(200).body("id", equalTo(agent.id()));
        Api.putSecret("production/stripe/api-key", Api.sensitiveValue("smoke"), "critical")
                .then().statusCode(201).body("current_version", equalTo(1)).body("tier", equalTo("critical"));
        Api.admin().get("/v1/secrets?prefix=production/").then().statusCode(200)
                .body("items[0].path", notNullValue());
    }
}
