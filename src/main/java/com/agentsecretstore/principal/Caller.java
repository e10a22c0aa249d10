package com.agentsecretstore.principal;

import java.util.List;

import com.agentsecretstore.common.ApiException;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is calling, as resolved by authentication: an API key, an OIDC token, or a Kubernetes
 * service-account token (then {@code workload} names the pod, for the audit entry of every call;
 * null otherwise). {@code via} is the door the call came through when it is not the REST API (the
 * audit entry's {@code via} detail); null for the REST API. Services take a Caller instead of a
 * SecurityIdentity so that their rules are testable without HTTP.
 */
public record Caller(String id, String name, Role role, List<String> namespaces, String keyId, String sourceIp,
        Workload workload, Channel via) {

    public static final String ATTRIBUTE = "ass.caller";

    /** A caller that is not a Kubernetes workload. */
    public Caller(String id, String name, Role role, List<String> namespaces, String keyId, String sourceIp) {
        this(id, name, role, namespaces, keyId, sourceIp, null, null);
    }

    /** A caller of the REST API. */
    public Caller(String id, String name, Role role, List<String> namespaces, String keyId, String sourceIp,
            Workload workload) {
        this(id, name, role, namespaces, keyId, sourceIp, workload, null);
    }

    /** The same caller, calling through {@code channel}: the rules see the same principal, the audit the door. */
    public Caller through(Channel channel) {
        return new Caller(id, name, role, namespaces, keyId, sourceIp, workload, channel);
    }

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
