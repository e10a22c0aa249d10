package com.agentsecretstore.principal.oidc;

import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.agentsecretstore.principal.Caller;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives an identity that quarkus-oidc verified (signature, issuer, audience, expiry) the service's
 * own shape: the {@link Caller} of the person's principal and its role, nothing from the token's own
 * role claims. Identities from API keys pass through untouched.
 */
@ApplicationScoped
public class OidcIdentityAugmentor implements SecurityIdentityAugmentor {

    private static final String BEARER = "Bearer ";

    private final OidcSettings settings;
    private final OidcSignIn signIn;
    private final OidcBearerCache bearers;

    public OidcIdentityAugmentor(OidcSettings settings, OidcSignIn signIn, OidcBearerCache bearers) {
        this.settings = settings;
        this.signIn = signIn;
        this.bearers = bearers;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return augment(identity, context, Map.of());
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context,
            Map<String, Object> attributes) {
        if (!settings.enabled() || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || identity.getAttribute(Caller.ATTRIBUTE) != null) {
            return Uni.createFrom().item(identity);
        }
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        rememberBearer(identity, jwt, routing);
        OidcClaims claims = OidcClaims.of(jwt, settings.groupsClaim());
        return signIn.resolve(claims, sourceIp(routing)).map(caller -> QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(caller.id()))
                .addRole(caller.role().wire())
                // quarkus-oidc's own attributes (tenant, provider metadata) keep its session and logout working.
                .addAttributes(identity.getAttributes())
                .addAttribute(Caller.ATTRIBUTE, caller)
                .addAttribute(OidcClaims.ATTRIBUTE, claims)
                .addCredentials(identity.getCredentials())
                .build());
    }

    /**
     * Remembers a token quarkus-oidc verified as this request's bearer (not a dashboard session,
     * whose tokens come from its cookie), so that its next requests skip the signature check.
     */
    private void rememberBearer(SecurityIdentity identity, JsonWebToken jwt, RoutingContext routing) {
        if (routing == null || identity.getAttribute(OidcBearerCache.FROM_CACHE) != null || jwt.getRawToken() == null) {
            return;
        }
        String header = routing.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && header.substring(BEARER.length()).trim().equals(jwt.getRawToken())) {
            bearers.remember(jwt.getRawToken(), identity, Instant.ofEpochSecond(jwt.getExpirationTime()));
        }
    }

    private static String sourceIp(RoutingContext context) {
        SocketAddress remote = context == null ? null : context.request().remoteAddress();
        return remote == null ? null : remote.hostAddress();
    }
}
