package com.agentsecretstore.principal.sso;

import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.agentsecretstore.common.Problem;
import com.agentsecretstore.principal.oidc.OidcSettings;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;

/**
 * Refuses a state-changing request that brings the dashboard's session cookie but not the CSRF
 * proof (the {@value SsoCookies#CSRF_HEADER} header equal to the token cookie): 403 problem+json,
 * before any authentication or work. Requests with an {@code Authorization} header are not
 * cookie-authenticated (see {@link SsoTenantResolver}) and pass.
 */
public class CsrfGuard {

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
    static final String REFUSAL = "This request came with the dashboard's session cookie but without its CSRF token "
            + "(header " + SsoCookies.CSRF_HEADER + "); it may have been sent by another site. Reload the dashboard and try again.";

    private final OidcSettings settings;
    private final ObjectMapper json;

    public CsrfGuard(OidcSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) throws JsonProcessingException {
        if (!settings.enabled() || SAFE.contains(request.getMethod())
                || request.getHeaderString(HttpHeaders.AUTHORIZATION) != null) {
            return null;
        }
        boolean session = request.getCookies().keySet().stream().anyMatch(n -> n.startsWith(SsoCookies.SESSION_PREFIX));
        if (!session) {
            return null;
        }
        var cookie = request.getCookies().get(SsoCookies.csrfName(settings.sessionCookieSecure()));
        if (SsoCookies.matches(cookie == null ? null : cookie.getValue(), request.getHeaderString(SsoCookies.CSRF_HEADER))) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        Log.warnf("Refused a cookie-authenticated %s %s without a CSRF token", request.getMethod(), path);
        String body = json.writeValueAsString(Problem.of(403, "Forbidden", REFUSAL, path, null));
        return Response.status(403).type(Problem.MEDIA_TYPE).entity(body).build();
    }
}
