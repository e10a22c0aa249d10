package com.agentsecretstore.principal.kubernetes;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A projected service-account token presented as a bearer. {@link #toString()} never shows the token. */
public final class KubernetesAuthenticationRequest extends BaseAuthenticationRequest {

    private final String token;
    private final String sourceIp;

    public KubernetesAuthenticationRequest(String token, String sourceIp) {
        this.token = token;
        this.sourceIp = sourceIp;
    }

    String token() {
        return token;
    }

    String sourceIp() {
        return sourceIp;
    }

    @Override
    public String toString() {
        return "KubernetesAuthenticationRequest[from " + sourceIp + "]";
    }
}
