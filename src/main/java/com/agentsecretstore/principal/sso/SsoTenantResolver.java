package com.agentsecretstore.principal.sso;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.principal.oidc.OidcSettings;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.oidc.TenantResolver;
import io.vertx.ext.web.RoutingContext;

/**
 * Which OIDC tenant reads a request: the dashboard's browser session (authorization code flow,
 * tenant {@value #TENANT}) for the sign-in paths and for any request that brings the session cookie
 * and no {@code Authorization} header; the default bearer-token tenant for everything else. So a
 * bearer token or an API key always wins over a cookie, and a request with neither never meets a
 * redirect to the identity provider.
 */
@ApplicationScoped
public class SsoTenantResolver implements TenantResolver {

    public static final String TENANT = "dashboard";

    private final OidcSettings settings;

    public SsoTenantResolver(OidcSettings settings) {
        this.settings = settings;
    }

    @Override
    public String resolve(RoutingContext context) {
        if (!settings.enabled() || context.request().getHeader(HttpHeaderNames.AUTHORIZATION) != null) {
            return null;
        }
        String path = context.normalizedPath();
        if (path.startsWith(SsoResource.PATH + "/") || SsoCookies.hasSession(context.request().cookies())) {
            return TENANT;
        }
        return null;
    }
}
