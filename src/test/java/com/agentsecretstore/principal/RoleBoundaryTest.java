package com.agentsecretstore.principal;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.agentsecretstore.support.Api;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Every admin-only endpoint refuses approvers and agents with 403 and strangers with 401, and lets
 * admins through. Self-service endpoints let each principal act on itself only.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleBoundaryTest {

    Api.Created approver;
    Api.Created agent;

    /** Once per class, but only when the first test runs: REST Assured is pointed at the app by then. */
    @BeforeEach
    void principals() {
        if (approver != null) {
            return;
        }
        approver = Api.principal("approver", "roles");
        agent = Api.principal("agent", "roles");
        Api.putSecret("roles/existing", Api.sensitiveValue("roles"), null).then().statusCode(201);
    }

    static Stream<Arguments> adminOnly() {
        List<Arguments> endpoints = new ArrayList<>();
        endpoints.add(Arguments.of("POST", "/v1/principals", "{\"name\":\"x-roles\",\"role\":\"agent\"}"));
        endpoints.add(Arguments.of("GET", "/v1/principals", null));
        endpoints.add(Arguments.of("PATCH", "/v1/principals/prn_00000000000000000000000000", "{\"disabled\":false}"));
        endpoints.add(Arguments.of("GET", "/v1/secrets", null));
        endpoints.add(Arguments.of("PUT", "/v1/secrets/roles/new", "{\"value\":\"v\"}"));
        endpoints.add(Arguments.of("GET", "/v1/secrets/roles/existing/versions", null));
        endpoints.add(Arguments.of("DELETE", "/v1/secrets/roles/existing", null));
        endpoints.add(Arguments.of("GET", "/v1/system/master-keys", null));
        endpoints.add(Arguments.of("POST", "/v1/system/master-keys/rewrap", null));
        return endpoints.stream();
    }

    @ParameterizedTest(name = "approver: {0} {1}")
    @MethodSource("adminOnly")
    void approverIsForbidden(String method, String path, String body) {
        call(approver.key(), method, path, body).then().statusCode(403);
    }

    @ParameterizedTest(name = "agent: {0} {1}")
    @MethodSource("adminOnly")
    void agentIsForbidden(String method, String path, String body) {
        call(agent.key(), method, path, body).then().statusCode(403);
    }

    @ParameterizedTest(name = "anonymous: {0} {1}")
    @MethodSource("adminOnly")
    void anonymousIsUnauthorized(String method, String path, String body) {
        var request = given().contentType("application/json");
        if (body != null) {
            request.body(body);
        }
        request.request(method, path).then().statusCode(401);
    }

    @ParameterizedTest(name = "admin: {0} {1}")
    @MethodSource("adminOnly")
    void adminIsAllowed(String method, String path, String body) {
        if (method.equals("DELETE")) {
            // Deleting is exercised on a secret of its own, so the other cases keep theirs.
            Api.putSecret("roles/deleteme", Api.sensitiveValue("del"), null);
            path = "/v1/secrets/roles/deleteme";
        }
        if (method.equals("POST") && path.equals("/v1/principals")) {
            body = "{\"name\":\"" + Api.unique("roles") + "\",\"role\":\"agent\"}";
        }
        call(Api.ADMIN_KEY, method, path, body).then().statusCode(not(oneOf(401, 403)))
                .statusCode(oneOf(200, 201, 204, 404));
    }

    @ParameterizedTest(name = "{0} reads itself")
    @MethodSource("selfService")
    void everyRoleSeesItselfOnly(String role) {
        Api.Created self = Api.principal(role);
        Api.as(self.key()).get("/v1/principals/me").then().statusCode(200);
        Api.as(self.key()).get("/v1/principals/" + self.id()).then().statusCode(200);
        if (!role.equals("admin")) {
            Api.as(self.key()).get("/v1/principals/" + agent.id()).then().statusCode(403);
        }
    }

    static Stream<String> selfService() {
        return Stream.of("admin", "approver", "agent");
    }

    private static io.restassured.response.Response call(String key, String method, String path, String body) {
        var request = Api.as(key);
        if (body != null) {
            request.body(body);
        }
        return request.request(method, path);
    }
}
