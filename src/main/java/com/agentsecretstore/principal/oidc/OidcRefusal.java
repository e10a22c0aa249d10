package com.agentsecretstore.principal.oidc;

import java.util.Map;

import io.quarkus.security.AuthenticationFailedException;

/**
 * A valid token whose person may not use the service (their principal is disabled): answered with
 * 401 like any failed authentication, and marked as already audited where it was raised.
 */
final class OidcRefusal {

    /** Attribute on the exception: the sign-in path audited this refusal itself. */
    static final String AUDITED = "ass.oidc.refusal-audited";

    private OidcRefusal() {
    }

    static AuthenticationFailedException unauthorized(String message) {
        return new AuthenticationFailedException(message, Map.of(AUDITED, Boolean.TRUE));
    }

    static boolean audited(Throwable failure) {
        return failure instanceof AuthenticationFailedException e && Boolean.TRUE.equals(e.getAttribute(AUDITED));
    }
}
