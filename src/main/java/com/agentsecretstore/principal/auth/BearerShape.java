package com.agentsecretstore.principal.auth;

/**
 * Which bearer values are JWTs for the identity provider rather than API keys: the one rule that
 * routes a bearer either to {@link ApiKeyAuthMechanism} or to quarkus-oidc (and its failure audit).
 */
public final class BearerShape {

    private BearerShape() {
    }

    public static boolean looksLikeJwt(String credential) {
        return !credential.startsWith("ass_") && credential.chars().filter(c -> c == '.').count() == 2;
    }
}
