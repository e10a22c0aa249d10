package com.agentsecretstore.principal.oidc;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * An OIDC bearer found in {@link OidcBearerCache}: its identity goes through the identity provider
 * manager like a freshly verified one, so {@link OidcIdentityAugmentor} resolves the person anew.
 */
public final class CachedOidcBearer extends BaseAuthenticationRequest {

    private final SecurityIdentity verified;

    public CachedOidcBearer(SecurityIdentity verified) {
        this.verified = verified;
    }

    @Override
    public String toString() {
        return "CachedOidcBearer";
    }

    /** Hands back the cached identity, with this request's routing context as quarkus-oidc would set it. */
    @ApplicationScoped
    public static class Provider implements IdentityProvider<CachedOidcBearer> {

        @Override
        public Class<CachedOidcBearer> getRequestType() {
            return CachedOidcBearer.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(CachedOidcBearer request, AuthenticationRequestContext context) {
            RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
            if (routing == null) {
                return Uni.createFrom().item(request.verified);
            }
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder(request.verified)
                    .addAttribute(RoutingContext.class.getName(), routing).build());
        }
    }
}
