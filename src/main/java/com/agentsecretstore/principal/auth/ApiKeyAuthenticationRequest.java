package com.agentsecretstore.principal.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer API key presented on a request. {@link #toString()} never shows the key. */
public final class ApiKeyAuthenticationRequest extends BaseAuthenticationRequest {

    private final String key;
    private final String sourceIp;

    public ApiKeyAuthenticationRequest(String key, String sourceIp) {
        this.key = key;
        this.sourceIp = sourceIp;
    }

    String key() {
        return key;
    }

    String sourceIp() {
        return sourceIp;
    }

    @Override
    public String toString() {
        return "ApiKeyAuthenticationRequest[from " + sourceIp + "]";
    }
}
