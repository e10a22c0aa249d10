package com.agentsecretstore.principal.auth;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.principal.kubernetes.KubernetesAuthenticationRequest;
import com.agentsecretstore.principal.oidc.CachedOidcBearer;
import com.agentsecretstore.principal.oidc.OidcBearerCache;
import com.agentsecretstore.principal.kubernetes.KubernetesIdentityProvider;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads {@code Authorization: Bearer …} and hands it to its verifier ({@link BearerRouting}): API
 * keys to {@link ApiKeyIdentityProvider}, Kubernetes service-account tokens to
 * {@link KubernetesIdentityProvider}; other JWTs are left alone, so that the OIDC mechanism can take
 * them when human sign-in is configured, unless it verified that very token before
 * ({@link OidcBearerCache}). Anything else presented as a bearer is treated as an API
 * key, and so fails (and is audited) like a wrong key.
 */
@ApplicationScoped
public class ApiKeyAuthMechanism implements HttpAuthenticationMechanism {

    private static final String BEARER = "Bearer ";

    private final BearerRouting routing;
    private final OidcBearerCache oidcBearers;

    public ApiKeyAuthMechanism(BearerRouting routing, OidcBearerCache oidcBearers) {
        this.routing = routing;
        this.oidcBearers = oidcBearers;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().nullItem();
        }
        String credential = header.substring(BEARER.length()).trim();
        SocketAddress remote = context.request().remoteAddress();
        String sourceIp = remote == null ? null : remote.hostAddress();
        AuthenticationRequest request = switch (routing.route(credential)) {
            // Verified before: skip the signature check, not the sign-in (OidcIdentityAugmentor).
            case OIDC -> oidcBearers.verified(credential).map(CachedOidcBearer::new).orElse(null);
            case KUBERNETES -> new KubernetesAuthenticationRequest(credential, sourceIp);
            case API_KEY -> new ApiKeyAuthenticationRequest(credential, sourceIp);
        };
        if (request == null) {
            return Uni.createFrom().nullItem();
        }
        HttpSecurityUtils.setRoutingContextAttribute(request, context);
        return identityProviderManager.authenticate(request);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyAuthenticationRequest.class, KubernetesAuthenticationRequest.class, CachedOidcBearer.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }
}
