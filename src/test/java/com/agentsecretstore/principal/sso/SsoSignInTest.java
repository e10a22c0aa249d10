package com.agentsecretstore.principal.sso;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.principal.oidc.OidcProfile;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.CodeFlowBrowser;
import com.agentsecretstore.support.CodeFlowBrowser.Page;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Keycloak;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * The dashboard's single sign-on against the real Keycloak: the authorization code flow through
 * Keycloak's own login form, the session cookie's attributes, the CSRF proof on state-changing
 * calls, the 403 page for a person with no role group, and sign-out at both ends. Shares the OIDC
 * boot with {@code OidcSignInTest}.
 */
@QuarkusTest
@TestProfile(OidcProfile.class)
class SsoSignInTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String base() {
        return "http://127.0.0.1:" + RestAssured.port;
    }

    private static CodeFlowBrowser signedIn(String username) {
        CodeFlowBrowser browser = new CodeFlowBrowser();
        Page login = browser.open(base() + "/sso/login");
        assertTrue(login.url().toString().startsWith(Keycloak.ISSUER), "the sign-in goes to Keycloak: " + login.url());
        assertTrue(login.url().getQuery().contains("code_challenge_method=S256"), "with PKCE");
        Page landed = browser.signInAtKeycloak(login, username);
        assertEquals(base() + "/dashboard/signin?sso=1", landed.url().toString());
        return browser;
    }

    private static Page call(CodeFlowBrowser browser, String method, String path, String csrf) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base() + path)).header("Accept", "application/json")
                .header("Content-Type", "application/json").method(method, method.equals("GET")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
        if (csrf != null) {
            r.header(SsoCookies.CSRF_HEADER, csrf);
        }
        return browser.send(r);
    }

    private static JsonNode json(Page page) {
        try {
            return JSON.readTree(page.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + page.body());
        }
    }

    @Test
    void signInThroughKeycloakGivesAnHttpOnlySecureSameSiteSessionAndIsAudited() {
        CodeFlowBrowser browser = signedIn("alice");

        String session = browser.setCookies.stream().filter(c -> c.startsWith("q_session_dashboard")).findFirst().orElseThrow();
        String lower = session.toLowerCase();
        assertTrue(lower.contains("httponly") && lower.contains("secure") && lower.contains("samesite=lax"), session);
        String csrf = browser.setCookies.stream().filter(c -> c.startsWith(SsoCookies.CSRF_SECURE + "=")).findFirst().orElseThrow();
        assertTrue(csrf.contains("SameSite=Strict") && csrf.contains("Secure") && !csrf.toLowerCase().contains("httponly"), csrf);

        Page me = call(browser, "GET", "/v1/principals/me", null);
        assertEquals(200, me.status(), me.body());
        assertEquals("alice", json(me).path("name").asText());
        assertEquals("approver", json(me).path("role").asText());
        String subject = json(me).path("oidc_identity").path("subject").asText();
        assertTrue(Db.count("select count(*) from audit_entry where action = 'auth.signin' and actor_id = ? "
                + "and details like ? and details like ?", json(me).path("id").asText(), "%" + Keycloak.ISSUER + "%",
                "%" + subject + "%") >= 1);
    }

    @Test
    void aStateChangingCallWithTheCookieButNoCsrfTokenIsRefused() {
        CodeFlowBrowser browser = signedIn("bob");
        String token = browser.cookies().get(SsoCookies.CSRF_SECURE);
        assertNotNull(token);

        Page noProof = call(browser, "POST", "/v1/approvals/apr_01JNOSUCHREQUEST0000000000/approve", null);
        assertEquals(403, noProof.status());
        assertEquals("application/problem+json", noProof.response().headers().firstValue("Content-Type").orElse(""));
        assertTrue(json(noProof).path("detail").asText().contains(SsoCookies.CSRF_HEADER));

        Page wrongProof = call(browser, "POST", "/v1/approvals/apr_01JNOSUCHREQUEST0000000000/approve", "not-the-token");
        assertEquals(403, wrongProof.status());

        Page withProof = call(browser, "POST", "/v1/approvals/apr_01JNOSUCHREQUEST0000000000/approve", token);
        assertFalse(withProof.status() == 403 || withProof.status() == 401, withProof.status() + " " + withProof.body());
    }

    @Test
    void aPersonInNoRoleGroupGetsAClear403PageAndNoSession() {
        CodeFlowBrowser browser = new CodeFlowBrowser();
        Page landed = browser.signInAtKeycloak(browser.open(base() + "/sso/login"), "nora");
        assertEquals(403, landed.status());
        assertTrue(landed.response().headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(landed.body().contains("neither the approver nor the admin group"), landed.body());
        assertFalse(browser.cookies().keySet().stream().anyMatch(n -> n.startsWith("q_session")));
        assertEquals(401, call(browser, "GET", "/v1/principals/me", null).status());
    }

    @Test
    void signOutEndsTheSessionHereAndAtKeycloakAndIsAudited() {
        CodeFlowBrowser browser = signedIn("alice");
        String id = json(call(browser, "GET", "/v1/principals/me", null)).path("id").asText();

        assertEquals(403, call(browser, "POST", "/sso/signout", null).status(), "sign-out needs the CSRF proof too");
        Page signOut = call(browser, "POST", "/sso/signout", browser.cookies().get(SsoCookies.CSRF_SECURE));
        assertEquals(200, signOut.status(), signOut.body());
        String logoutUrl = json(signOut).path("logout_url").asText();
        assertEquals("/sso/logout", logoutUrl);

        Page toKeycloak = browser.send(HttpRequest.newBuilder(URI.create(base() + logoutUrl)).GET());
        assertEquals(302, toKeycloak.status());
        String location = toKeycloak.response().headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(Keycloak.ISSUER + "/protocol/openid-connect/logout"), location);
        assertTrue(location.contains("id_token_hint="), "RP-initiated logout names the session: " + location);
        Page back = browser.open(location);
        assertEquals(base() + "/dashboard/signin", back.url().toString().replaceAll("\\?.*", ""));

        assertFalse(browser.cookies().keySet().stream().anyMatch(n -> n.startsWith("q_session")));
        assertEquals(401, call(browser, "GET", "/v1/principals/me", null).status());
        // Keycloak's session is gone too: signing in again shows its login form.
        Page again = browser.open(base() + "/sso/login");
        assertTrue(again.body().contains("kc-form-login"), "Keycloak asks for the password again");
        assertTrue(Db.count("select count(*) from audit_entry where action = 'auth.signout' and actor_id = ? "
                + "and details like ?", id, "%" + Keycloak.ISSUER + "%") >= 1);
    }

    @Test
    void apiKeysAndBearerTokensKeepWorkingBesideTheSessions() {
        Api.admin().get("/v1/principals/me").then().statusCode(200);
        RestAssured.given().header("Authorization", "Bearer " + Keycloak.token("ada")).get("/v1/principals/me")
                .then().statusCode(200).body("name", containsString("ada"));
        RestAssured.given().get("/sso/status").then().statusCode(200).body("enabled", org.hamcrest.Matchers.equalTo(true))
                .body("issuer", org.hamcrest.Matchers.equalTo(Keycloak.ISSUER));
    }
}
