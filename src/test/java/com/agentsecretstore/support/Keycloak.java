package com.agentsecretstore.support;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The test realm's people and clients ({@code src/test/keycloak/realm-agent-secret-store.json}) and
 * calls to the real Keycloak: tokens by the password grant, and group changes through its admin REST
 * API. Tokens obtained here are remembered as sensitive for {@code LogLeakTest}.
 */
public final class Keycloak {

    static final int PORT = port();
    public static final String BASE = "http://127.0.0.1:" + PORT;
    public static final String REALM = "agent-secret-store";
    public static final String ISSUER = BASE + "/realms/" + REALM;
    public static final String CLIENT_ID = "agent-secret-store";
    public static final String CLIENT_SECRET = "agent-secret-store-test-secret";

    private Keycloak() {
    }

    private static int port() {
        String port = System.getenv("ASS_KEYCLOAK_PORT");
        return port == null || port.isBlank() ? 8180 : Integer.parseInt(port.trim());
    }

    /** RestAssured's static port is the service's under test: name Keycloak's explicitly. */
    private static io.restassured.specification.RequestSpecification kc() {
        return given().baseUri("http://127.0.0.1").port(PORT);
    }

    static boolean answers() {
        return KeycloakResource.reachable(ISSUER + "/.well-known/openid-configuration");
    }

    /** An access token for a realm user (password {@code <username>-password}) from our service's client. */
    public static String token(String username) {
        return token(username, CLIENT_ID, CLIENT_SECRET);
    }

    public static String token(String username, String clientId, String clientSecret) {
        Response r = kc().contentType(ContentType.URLENC)
                .formParam("grant_type", "password").formParam("client_id", clientId)
                .formParam("client_secret", clientSecret).formParam("username", username)
                .formParam("password", username + "-password")
                .post("/realms/" + REALM + "/protocol/openid-connect/token");
        r.then().statusCode(200);
        String token = r.path("access_token");
        Api.SENSITIVE.add(token);
        return token;
    }

    /** A token of the master realm's admin: valid, signed, but from another issuer and for another audience. */
    public static String masterAdminToken() {
        Response r = kc().contentType(ContentType.URLENC)
                .formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", "admin").formParam("password", "admin")
                .post("/realms/master/protocol/openid-connect/token");
        r.then().statusCode(200);
        String token = r.path("access_token");
        Api.SENSITIVE.add(token);
        return token;
    }

    /** The realm's RSA public key (base64 of the DER), as Keycloak publishes it. */
    public static String realmPublicKey() {
        return kc().get("/realms/" + REALM).then().statusCode(200).extract().path("public_key");
    }

    public static String userId(String username) {
        List<String> ids = admin().queryParam("username", username).queryParam("exact", true)
                .get("/admin/realms/" + REALM + "/users").then().statusCode(200).extract().path("id");
        return ids.get(0);
    }

    public static void leaveGroup(String username, String group) {
        admin().delete("/admin/realms/" + REALM + "/users/" + userId(username) + "/groups/" + groupId(group))
                .then().statusCode(204);
    }

    public static void joinGroup(String username, String group) {
        admin().put("/admin/realms/" + REALM + "/users/" + userId(username) + "/groups/" + groupId(group))
                .then().statusCode(204);
    }

    /** A new person in the realm, in the given groups; returns their username. */
    public static String newUser(String base, String... groups) {
        String username = (base + "-" + System.nanoTime()).toLowerCase();
        admin().body(Map.of("username", username, "enabled", true, "email", username + "@example.com",
                "emailVerified", true, "firstName", "Test", "lastName", "Person", "groups", List.of(groups).stream()
                        .map(g -> "/" + g).toList(),
                "credentials", List.of(Map.of("type", "password", "value", username + "-password", "temporary", false))))
                .post("/admin/realms/" + REALM + "/users").then().statusCode(201);
        return username;
    }

    private static String groupId(String group) {
        return admin().get("/admin/realms/" + REALM + "/group-by-path/" + group).then().statusCode(200).extract().path("id");
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return kc().header("Authorization", "Bearer " + masterAdminToken()).contentType(ContentType.JSON);
    }
}
