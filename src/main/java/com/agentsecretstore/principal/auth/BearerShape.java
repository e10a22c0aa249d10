package com.agentsecretstore.principal.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.jose4j.json.JsonUtil;

/**
 * Where a bearer value goes: the one rule that routes it to the API-key provider, the Kubernetes
 * service-account verifier, or quarkus-oidc (and its failure audit). A JWT is routed by the issuer it
 * names, read without verifying anything — only to choose the verifier, which then checks it all.
 */
public final class BearerShape {

    /** Who verifies a bearer. */
    public enum Route {
        API_KEY, KUBERNETES, OIDC
    }

    /** Longer payloads are not decoded to route them: projected and OIDC tokens are a few KB. */
    private static final int MAX_DECODED = 16 * 1024;

    private BearerShape() {
    }

    public static boolean looksLikeJwt(String credential) {
        return !credential.startsWith("ass_") && credential.chars().filter(c -> c == '.').count() == 2;
    }

    /**
     * A JWT naming one of {@code kubernetesIssuers} goes to the Kubernetes verifier; so does any
     * other JWT when human sign-in is off and Kubernetes issuers are configured (it is refused and
     * audited there instead of passing unnoticed). Other JWTs are for quarkus-oidc.
     */
    public static Route route(String credential, Set<String> kubernetesIssuers, boolean oidcEnabled) {
        if (!looksLikeJwt(credential)) {
            return Route.API_KEY;
        }
        if (kubernetesIssuers.isEmpty()) {
            return Route.OIDC;
        }
        String issuer = unverifiedIssuer(credential);
        if (issuer != null && kubernetesIssuers.contains(issuer)) {
            return Route.KUBERNETES;
        }
        return oidcEnabled ? Route.OIDC : Route.KUBERNETES;
    }

    /** The {@code iss} a JWT states, unverified; null when it cannot be read. */
    static String unverifiedIssuer(String jwt) {
        int first = jwt.indexOf('.');
        int second = jwt.indexOf('.', first + 1);
        if (first < 0 || second < 0 || second - first - 1 > MAX_DECODED) {
            return null;
        }
        try {
            String payload = new String(Base64.getUrlDecoder().decode(jwt.substring(first + 1, second)), StandardCharsets.UTF_8);
            Map<String, Object> claims = JsonUtil.parseJson(payload);
            return claims.get("iss") instanceof String s ? s : null;
        } catch (Exception e) {
            return null;
        }
    }
}
