package com.agentsecretstore.secret;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.agentsecretstore.common.Problem;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Bad input gets a clear problem+json naming the field, and writes nothing: no secret, no
 * version, no principal, no audit entry of a change.
 */
@QuarkusTest
class BadInputTest {

    static final String OK = "{\"value\":\"v\"}";

    static Stream<Arguments> badInputs() {
        String big = "x".repeat(65537);
        return Stream.of(
                // name, method, path, body, expected field (null: no field named)
                Arguments.of("dot-dot segment", "PUT", "/v1/secrets/bad/../b", OK, null),
                Arguments.of("leading slash", "PUT", "/v1/secrets//x", OK, "path"),
                Arguments.of("17 segments", "PUT", "/v1/secrets/" + "s/".repeat(16) + "s", OK, "path"),
                Arguments.of("129-char segment", "PUT", "/v1/secrets/bad/" + "a".repeat(129), OK, "path"),
                Arguments.of("namespace only", "PUT", "/v1/secrets/bad", OK, "path"),
                Arguments.of("space in segment", "PUT", "/v1/secrets/bad/a%20b", OK, "path"),
                Arguments.of("non-ASCII segment", "PUT", "/v1/secrets/bad/cl%C3%A9", OK, "path"),
                Arguments.of("dot segment", "PUT", "/v1/secrets/bad/./a", OK, null),
                Arguments.of("encoded slash", "PUT", "/v1/secrets/bad/a%2Fb", OK, null),
                Arguments.of("reserved last segment", "PUT", "/v1/secrets/bad/versions", OK, "path"),
                Arguments.of("empty value", "PUT", "/v1/secrets/bad/a", "{\"value\":\"\"}", "value"),
                Arguments.of("missing value", "PUT", "/v1/secrets/bad/a", "{}", "value"),
                Arguments.of("null value", "PUT", "/v1/secrets/bad/a", "{\"value\":null}", "value"),
                Arguments.of("oversize value", "PUT", "/v1/secrets/bad/a", "{\"value\":\"" + big + "\"}", "value"),
                Arguments.of("unknown field", "PUT", "/v1/secrets/bad/a", "{\"value\":\"v\",\"owner\":\"me\"}", "owner"),
                Arguments.of("number as value", "PUT", "/v1/secrets/bad/a", "{\"value\":123}", "value"),
                Arguments.of("boolean as value", "PUT", "/v1/secrets/bad/a", "{\"value\":true}", "value"),
                Arguments.of("number as tier", "PUT", "/v1/secrets/bad/a", "{\"value\":\"v\",\"tier\":5}", "tier"),
                Arguments.of("unknown tier", "PUT", "/v1/secrets/bad/a", "{\"value\":\"v\",\"tier\":\"secret\"}", "tier"),
                Arguments.of("truncated JSON", "PUT", "/v1/secrets/bad/a", "{\"value\":\"v\"", null),
                Arguments.of("not JSON", "PUT", "/v1/secrets/bad/a", "value=v", null),
                Arguments.of("array body", "PUT", "/v1/secrets/bad/a", "[]", null),
                Arguments.of("empty body", "PUT", "/v1/secrets/bad/a", "", null),
                Arguments.of("duplicate key", "PUT", "/v1/secrets/bad/a", "{\"value\":\"a\",\"value\":\"b\"}", null),
                Arguments.of("trailing garbage", "PUT", "/v1/secrets/bad/a", "{\"value\":\"a\"} x", null),
                Arguments.of("metadata not an object", "PUT", "/v1/secrets/bad/a", "{\"value\":\"v\",\"metadata\":\"x\"}", "metadata"),
                Arguments.of("metadata number value", "PUT", "/v1/secrets/bad/a", "{\"value\":\"v\",\"metadata\":{\"k\":1}}", "metadata.k"),
                Arguments.of("metadata bad key", "PUT", "/v1/secrets/bad/a", "{\"value\":\"v\",\"metadata\":{\"a b\":\"c\"}}", "metadata"),
                Arguments.of("principal without name", "POST", "/v1/principals", "{\"role\":\"agent\"}", "name"),
                Arguments.of("principal with unknown role", "POST", "/v1/principals", "{\"name\":\"bad-role\",\"role\":\"root\"}", "role"),
                Arguments.of("principal with bad email", "POST", "/v1/principals", "{\"name\":\"bad-email\",\"role\":\"approver\",\"email\":\"nope\"}", "email"),
                Arguments.of("principal with bad name", "POST", "/v1/principals", "{\"name\":\"has space\",\"role\":\"agent\"}", "name"),
                Arguments.of("namespaces not a list", "POST", "/v1/principals", "{\"name\":\"bad-ns\",\"role\":\"agent\",\"namespaces\":\"prod\"}", "namespaces"),
                Arguments.of("bad namespace name", "POST", "/v1/principals", "{\"name\":\"bad-ns2\",\"role\":\"agent\",\"namespaces\":[\"a/b\"]}", "namespaces[0]"),
                Arguments.of("trust tier on approver", "POST", "/v1/principals", "{\"name\":\"bad-tt\",\"role\":\"approver\",\"trust_tier\":\"verified\"}", "trust_tier"),
                Arguments.of("unknown trust tier", "POST", "/v1/principals", "{\"name\":\"bad-tt2\",\"role\":\"agent\",\"trust_tier\":\"T9\"}", "trust_tier"),
                Arguments.of("unknown principal field", "POST", "/v1/principals", "{\"name\":\"bad-f\",\"role\":\"agent\",\"admin\":true}", "admin"),
                Arguments.of("limit zero", "GET", "/v1/secrets?limit=0", null, "limit"),
                Arguments.of("limit too large", "GET", "/v1/principals?limit=501", null, "limit"),
                Arguments.of("limit not a number", "GET", "/v1/secrets?limit=ten", null, null),
                Arguments.of("forged cursor", "GET", "/v1/secrets?cursor=%21%21%21", null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsAClearProblemAndWritesNothing(String name, String method, String path, String body, String field) {
        long before = writes();
        var request = given().urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .contentType("application/json");
        if (body != null) {
            request.body(body);
        }
        ValidatableResponse response = request.request(method, path).then().log().ifValidationFails()
                .statusCode(oneOf(400, 404, 422))
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("title", notNullValue())
                .body("detail", notNullValue());
        response.body("status", oneOf(400, 422));
        if (field != null) {
            response.body("errors.field", hasItem(field));
        }
        assertEquals(before, writes(), "a rejected request must write nothing");
    }

    /**
     * Rows the (admin's) rejected request could have written. Audit rows of other actors are left out: the
     * service's jobs may be finishing, meanwhile, what earlier tests began (issuing, expiring, delivering).
     */
    private static long writes() {
        return Db.count("select (select count(*) from secret) + (select count(*) from secret_version) "
                + "+ (select count(*) from principal) "
                + "+ (select count(*) from audit_entry where outcome = 'success' and actor_id = ?)", adminId());
    }

    private static String adminId;

    private static String adminId() {
        if (adminId == null) {
            adminId = Api.admin().get("/v1/principals/me").path("id");
        }
        return adminId;
    }
}
