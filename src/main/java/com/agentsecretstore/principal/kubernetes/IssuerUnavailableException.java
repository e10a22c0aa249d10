package com.agentsecretstore.principal.kubernetes;

import com.agentsecretstore.common.ApiException;

/** The issuer's keys could not be fetched, and none are cached: the token cannot be checked (503). */
public final class IssuerUnavailableException extends ApiException {

    IssuerUnavailableException() {
        super(503, "Service Unavailable",
                "The Kubernetes issuer's keys cannot be fetched to verify this token; API keys still work.", null);
    }
}
