package com.agentsecretstore.principal;

import java.util.List;

import com.agentsecretstore.common.ApiException;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is calling, as resolved by authentication: an API key today, an OIDC token later. Services
 * take a Caller instead of a SecurityIdentity so that their rules are testable without HTTP.
 */
public record Caller(String id, String name, Role role, List<String> namespaces, String keyId, String sourceIp) {

    public static final String ATTRIBUTE = "ass.caller";

    public static Caller of(SecurityIdentity identity) {
        Caller caller = identity.getAttribute(ATTRIBUTE);
        if (caller == null) {
            throw new IllegalStateException("No authenticated caller on this request");
        }
        return caller;
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** The first line of every admin-only operation: refuses anyone else with a 403 saying why. */
    public void requireAdmin(String refusal) {
        if (!isAdmin()) {
            throw ApiException.forbidden(refusal);
        }
    }

    /** A caller used for work the service does on its own behalf (bootstrap, scheduled jobs). */
    public static Caller system(String what) {
        return new Caller("system", what, null, List.of(), null, null);
    }
}
