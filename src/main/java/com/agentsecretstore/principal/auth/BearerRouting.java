package com.agentsecretstore.principal.auth;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.principal.kubernetes.KubernetesTokens;
import com.agentsecretstore.principal.oidc.OidcSettings;

/** {@link BearerShape#route} with this service's configuration. */
@ApplicationScoped
public class BearerRouting {

    private final KubernetesTokens kubernetes;
    private final OidcSettings oidc;

    public BearerRouting(KubernetesTokens kubernetes, OidcSettings oidc) {
        this.kubernetes = kubernetes;
        this.oidc = oidc;
    }

    public BearerShape.Route route(String credential) {
        return BearerShape.route(credential, kubernetes.issuers(), oidc.enabled());
    }
}
