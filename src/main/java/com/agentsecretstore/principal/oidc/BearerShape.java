package com.agentsecretstore.principal.oidc;

/**
 * Which bearer values are JWTs for the identity provider's tokens rather than API keys. Must agree
 * with {@code principal.auth.ApiKeyAuthMechanism}, which leaves exactly these to quarkus-oidc.
 */
final class BearerShape {

    private BearerShape() {
    }

    static boolean looksLikeJwt(String credential) {
        return !credential.startsWith("ass_") && credential.chars().filter(c -> c == '.').count() == 2;
    }
}
