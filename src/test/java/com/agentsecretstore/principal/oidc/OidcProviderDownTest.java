package com.agentsecretstore.principal.oidc;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Sign-in on, the identity provider unreachable: API keys are unaffected, tokens get a clear 503, not a 500. */
@QuarkusTest
@TestProfile(OidcProviderDownTest.ProviderDown.class)
class OidcProviderDownTest {

    public static class ProviderDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Port 1: nothing listens there, connections are refused at once.
            return Map.of("ass.oidc.enabled", "true",
                    "quarkus.oidc.auth-server-url", "http://127.0.0.1:1/realms/agent-secret-store",
                    "quarkus.oidc.credentials.secret", "unused");
        }
    }

    @Test
    void apiKeysWorkWhileTheProviderIsDown() {
        Api.admin().get("/v1/principals/me").then().statusCode(200).body("role", equalTo("admin"));
        Api.Created agent = Api.principal("agent", "production");
        Api.as(agent.key()).get("/v1/principals/me").then().statusCode(200).body("id", equalTo(agent.id()));
    }

    @Test
    void aBearerTokenGets503ProblemJsonWhileTheProviderIsDown() {
        String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
        String payload = b64("{\"iss\":\"http://127.0.0.1:1/realms/agent-secret-store\",\"sub\":\"someone\",\"exp\":4102444800}");
        Api.as(header + "." + payload + "." + b64("not-a-signature")).get("/v1/principals/me").then().statusCode(503)
                .contentType("application/problem+json").body("detail", containsString("identity provider"));
    }

    @Test
    void singleSignOnShowsAClearPageWhileTheProviderIsDown() {
        io.restassured.RestAssured.given().redirects().follow(false).get("/sso/login").then().statusCode(503)
                .contentType(org.hamcrest.Matchers.startsWith("text/html"))
                .body(containsString("identity provider cannot be reached"))
                .body(org.hamcrest.Matchers.not(containsString("Exception")));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
