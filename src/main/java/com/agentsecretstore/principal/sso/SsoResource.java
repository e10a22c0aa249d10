package com.agentsecretstore.principal.sso;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Problem;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.oidc.OidcClaims;
import com.agentsecretstore.principal.oidc.OidcSettings;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.oidc.OIDCException;
import io.quarkus.oidc.runtime.OidcAuthenticationMechanism;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * The dashboard's single sign-on: {@code /sso/login} runs the authorization code flow with PKCE
 * (quarkus-oidc, tenant {@value SsoTenantResolver#TENANT}) and, once the person is signed in, audits
 * it, hands the page its CSRF token and returns to the dashboard; {@code /sso/signout} (a POST, so
 * CSRF-checked) audits the sign-out and sends the page to {@code /sso/logout}, where quarkus-oidc
 * ends the session here and at the provider (RP-initiated logout). Failures on these paths are pages
 * a person can read, not problem+json: no role group is a 403 page, an unreachable provider a 503.
 */
@Path(SsoResource.PATH)
public class SsoResource {

    public static final String PATH = "/sso";
    static final String LOGOUT = PATH + "/logout";
    static final String AFTER_SIGN_IN = "/dashboard/signin?sso=1";
    static final String SIGN_IN_PAGE = "/dashboard/signin";

    /**
     * Whether "Sign in with SSO" can be offered, and the provider's issuer (absent when off), so that
     * the CLI's {@code login} needs nothing but the service's URL.
     */
    public record SsoStatus(boolean enabled, String issuer) {
    }

    /** Where the page goes to finish signing out (inside a Response: registered for native serialization). */
    @RegisterForReflection
    public record SignOut(String logoutUrl) {
    }

    private final OidcSettings settings;
    private final AuditLog audit;
    private final SecurityIdentity identity;
    private final OidcAuthenticationMechanism oidc;
    private final ObjectMapper json;
    private final Optional<String> issuer;

    public SsoResource(OidcSettings settings, AuditLog audit, SecurityIdentity identity, OidcAuthenticationMechanism oidc,
            ObjectMapper json, @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> issuer) {
        this.issuer = issuer;
        this.settings = settings;
        this.audit = audit;
        this.identity = identity;
        this.oidc = oidc;
        this.json = json;
    }

    @GET
    @Path("status")
    @PermitAll
    @Produces(MediaType.APPLICATION_JSON)
    public SsoStatus status() {
        return settings.enabled() ? new SsoStatus(true, issuer.orElse(null)) : new SsoStatus(false, null);
    }

    @GET
    @Path("login")
    @Authenticated
    public Uni<Response> login() {
        OidcClaims claims = identity.getAttribute(OidcClaims.ATTRIBUTE);
        if (claims == null) {
            // Signed in some other way (an API key): nothing to set up here.
            return Uni.createFrom().item(Response.seeOther(URI.create(AFTER_SIGN_IN)).build());
        }
        String csrf = SsoCookies.newCsrfToken();
        return audit.appendAlone(event(AuditAction.AUTH_SIGNIN, claims)).map(v -> Response.seeOther(URI.create(AFTER_SIGN_IN))
                .header("Set-Cookie", SsoCookies.csrfCookie(csrf, settings.sessionCookieSecure()))
                .header("Cache-Control", "no-store").build());
    }

    @POST
    @Path("signout")
    @Authenticated
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> signOut() {
        OidcClaims claims = identity.getAttribute(OidcClaims.ATTRIBUTE);
        if (claims == null) {
            return Uni.createFrom().item(Response.ok(new SignOut(SIGN_IN_PAGE)).build());
        }
        return audit.appendAlone(event(AuditAction.AUTH_SIGNOUT, claims)).map(v -> Response.ok(new SignOut(LOGOUT))
                .header("Set-Cookie", SsoCookies.expiredCsrfCookie(settings.sessionCookieSecure()))
                .header("Cache-Control", "no-store").build());
    }

    /**
     * Reached only when quarkus-oidc did not take the request as its logout (no session of this
     * tenant): there is nothing to end.
     */
    @GET
    @Path("logout")
    @Authenticated
    public Response logout() {
        return Response.seeOther(URI.create(SIGN_IN_PAGE)).build();
    }

    private AuditEvent event(AuditAction action, OidcClaims claims) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mechanism", "oidc");
        details.put("issuer", claims.issuer());
        details.put("subject", claims.subject());
        return AuditEvent.success(action, Caller.of(identity)).onTarget(Caller.of(identity).id()).with(details);
    }

    /** Not signed in: the sign-in path goes to the provider; the others back to the sign-in page. */
    @ServerExceptionMapper
    public Uni<Response> unauthorized(UnauthorizedException e, RoutingContext context) throws JsonProcessingException {
        String path = context.normalizedPath();
        if (path.equals(PATH + "/login") && settings.enabled()) {
            return oidc.getChallenge(context).map(challenge -> {
                Response.ResponseBuilder r = Response.status(challenge.status).header("Cache-Control", "no-store");
                challenge.getHeaders().forEach((name, value) -> r.header(name.toString(), value));
                return r.build();
            }).onFailure().recoverWithItem(SsoResource::failure);
        }
        if (path.equals(LOGOUT) || path.equals(PATH + "/login")) {
            return Uni.createFrom().item(Response.seeOther(URI.create(SIGN_IN_PAGE)).build());
        }
        String body = json.writeValueAsString(Problem.of(401, "Unauthorized", "You are not signed in.", path, null));
        return Uni.createFrom().item(Response.status(401).type(Problem.MEDIA_TYPE).entity(body).build());
    }

    @ServerExceptionMapper
    public Response failed(AuthenticationFailedException e) {
        return failure(e);
    }

    @ServerExceptionMapper
    public Response incomplete(AuthenticationCompletionException e) {
        return failure(e);
    }

    @ServerExceptionMapper
    public Response refused(ApiException e) {
        return failure(e);
    }

    @ServerExceptionMapper
    public Response unavailable(OIDCException e) {
        return failure(e);
    }

    private static Response failure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException api && api.status() == 403) {
                return SsoPages.noRole();
            }
            if (t instanceof OIDCException) {
                Log.warn("Single sign-on failed: the identity provider cannot be reached");
                return SsoPages.providerDown();
            }
        }
        Log.infof("Single sign-on failed: %s", failure.getClass().getSimpleName());
        return SsoPages.failed();
    }
}
