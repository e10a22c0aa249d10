package com.agentsecretstore.principal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.principal.auth.BearerShape.Route;

class BearerShapeTest {

    private static final Set<String> CLUSTERS = Set.of("https://kubernetes.default.svc");

    private static String jwt(String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    @Test
    void apiKeysGoToTheApiKeyProvider() {
        assertEquals(Route.API_KEY, BearerShape.route("ass_abc.def.ghi", CLUSTERS, true));
        assertEquals(Route.API_KEY, BearerShape.route("whatever", CLUSTERS, false));
    }

    @Test
    void aTokenOfAConfiguredClusterGoesToTheKubernetesVerifierEvenWithOidcOn() {
        assertEquals(Route.KUBERNETES, BearerShape.route(jwt("{\"iss\":\"https://kubernetes.default.svc\"}"), CLUSTERS, true));
    }

    @Test
    void otherJwtsGoToOidcWhenItIsOnAndAreRefusedByTheKubernetesVerifierOtherwise() {
        String human = jwt("{\"iss\":\"https://idp.example.com/realms/acme\"}");
        assertEquals(Route.OIDC, BearerShape.route(human, CLUSTERS, true));
        assertEquals(Route.KUBERNETES, BearerShape.route(human, CLUSTERS, false));
        assertEquals(Route.OIDC, BearerShape.route(human, Set.of(), false), "without clusters, as before");
    }

    @Test
    void unreadablePayloadHasNoIssuer() {
        assertNull(BearerShape.unverifiedIssuer("a.!!!.c"));
        assertNull(BearerShape.unverifiedIssuer(jwt("[1,2]")));
        assertNull(BearerShape.unverifiedIssuer(jwt("{\"iss\":42}")));
    }
}
