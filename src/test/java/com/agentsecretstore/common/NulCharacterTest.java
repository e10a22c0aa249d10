package com.agentsecretstore.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;

/**
 * U+0000 anywhere a client can put text is a 422 naming the field, never a 500 from PostgreSQL
 * (which cannot store it in text), and writes nothing.
 */
@QuarkusTest
class NulCharacterTest {

    /** A JSON string escape for U+0000, as a client sends it. */
    static final String NUL = "\\u0000";

    static Stream<Arguments> nulEverywhere() {
        return Stream.of(
                // endpoint, method, path, body, field named
                Arguments.of("token request description", "POST", "/v1/tokens",
                        "{\"scope\":\"secrets:read:nul/*\",\"description\":\"a" + NUL + "b\"}", "description"),
                Arguments.of("token request scope", "POST", "/v1/tokens", "{\"scope\":\"secrets:read:nul/" + NUL + "\"}", "scope"),
                Arguments.of("approve comment", "POST", "/v1/approvals/apr_x/approve", "{\"comment\":\"" + NUL + "\"}", "comment"),
                Arguments.of("deny reason", "POST", "/v1/approvals/apr_x/deny", "{\"reason\":\"no" + NUL + "\"}", "reason"),
                Arguments.of("cancel reason", "POST", "/v1/approvals/apr_x/cancel", "{\"reason\":\"" + NUL + "\"}", "reason"),
                Arguments.of("webhook description", "POST", "/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/h\","
                        + "\"events\":[\"approval.requested\"],\"description\":\"hook" + NUL + "\"}", "description"),
                Arguments.of("webhook event name", "POST", "/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/h\","
                        + "\"events\":[\"approval." + NUL + "\"]}", "events[0]"),
                Arguments.of("webhook secret rotation", "POST", "/v1/webhooks/wh_x/rotate-secret",
                        "{\"secret\":\"whsec_" + NUL + "\"}", "secret"),
                Arguments.of("principal name", "POST", "/v1/principals", "{\"name\":\"n" + NUL + "\",\"role\":\"agent\"}", "name"),
                Arguments.of("principal email", "PATCH", "/v1/principals/prn_x", "{\"email\":\"a" + NUL + "@example.com\"}", "email"),
                Arguments.of("principal namespace", "POST", "/v1/principals",
                        "{\"name\":\"nul-ns\",\"role\":\"agent\",\"namespaces\":[\"ns" + NUL + "\"]}", "namespaces[0]"),
                Arguments.of("policy pattern", "PUT", "/v1/namespaces/nul/policy", "{\"default_tier\":\"standard\","
                        + "\"path_overrides\":[{\"pattern\":\"nul/" + NUL + "*\",\"tier\":\"critical\"}]}",
                        "path_overrides[0].pattern"),
                Arguments.of("simulate scope", "POST", "/v1/namespaces/nul/policy/simulate",
                        "{\"scope\":\"secrets:read:nul/" + NUL + "\"}", "scope"),
                Arguments.of("secret metadata", "PUT", "/v1/secrets/nul/a", "{\"value\":\"v\",\"metadata\":{\"k\":\"" + NUL + "\"}}",
                        "metadata.k"),
                Arguments.of("secret tier", "PUT", "/v1/secrets/nul/a", "{\"value\":\"v\",\"tier\":\"" + NUL + "\"}", "tier"),
                Arguments.of("moltbotden base url", "PUT", "/v1/settings/integrations/moltbotden",
                        "{\"enabled\":false,\"base_url\":\"https://x" + NUL + "\"}", "base_url"),
                Arguments.of("secret list prefix", "GET", "/v1/secrets?prefix=nul%00", null, "prefix"),
                Arguments.of("audit filter", "GET", "/v1/audit?actor=%00", null, "actor"),
                Arguments.of("approvals list status", "GET", "/v1/approvals?status=pending%00", null, "status"),
                Arguments.of("secret path", "GET", "/v1/secrets/nul/a%00", null, "path"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nulEverywhere")
    void aNulCharacterIsAValidationProblemNamingTheField(String name, String method, String path, String body, String field) {
        long before = writes();
        var request = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .contentType("application/json");
        if (body != null) {
            request.body(body);
        }
        request.request(method, path).then().log().ifValidationFails()
                .statusCode(422)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("errors[0].field", equalTo(field))
                .body("errors[0].message", equalTo(ProblemMapper.NUL_MESSAGE));
        assertEquals(before, writes(), "a rejected request must write nothing");
    }

    @Test
    void aForgedCursorDecodingToNulIsAValidationProblem() {
        // "AA" is base64url for the single byte 0.
        Api.admin().get("/v1/approvals?cursor=AA").then().statusCode(422).body("errors[0].field", equalTo("cursor"));
    }

    @Test
    void aSecretValueMayStillHoldNulBecauseItIsSealedAsBytes() {
        String path = Api.unique("nul") + "/value";
        String prefix = Api.sensitiveValue("nul");
        Api.SENSITIVE.add(prefix + "\u0000b");
        given().header("Authorization", "Bearer " + Api.ADMIN_KEY).contentType("application/json")
                .body("{\"value\":\"" + prefix + NUL + "b\"}").put("/v1/secrets/" + path)
                .then().statusCode(201);
    }

    private static long writes() {
        return Db.count("select (select count(*) from secret) + (select count(*) from principal) "
                + "+ (select count(*) from webhook) + (select count(*) from approval_request) "
                + "+ (select count(*) from namespace_policy) + (select count(*) from audit_entry where outcome = 'success')");
    }
}
