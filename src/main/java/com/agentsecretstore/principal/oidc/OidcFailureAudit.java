package com.agentsecretstore.principal.oidc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.auth.BearerRouting;
import com.agentsecretstore.principal.auth.BearerShape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.logging.Log;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Audits bearer tokens that quarkus-oidc rejected (forged, expired, another issuer or audience, an
 * unsigned or wrongly signed token). The entry names what the token claimed to be — issuer and
 * subject, read without trusting them, and its algorithm — never the token. API-key and Kubernetes
 * token failures and the sign-in path's own refusals are audited where they happen.
 */
@ApplicationScoped
public class OidcFailureAudit {

    private static final String BEARER = "Bearer ";
    /** Longer tokens are not decoded for the audit entry: their claims are not worth the work. */
    private static final int MAX_DECODED = 16 * 1024;
    private static final int MAX_CLAIM = 256;

    private final OidcSettings settings;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final BearerRouting routing;

    public OidcFailureAudit(OidcSettings settings, AuditLog audit, ObjectMapper json, BearerRouting routing) {
        this.settings = settings;
        this.audit = audit;
        this.json = json;
        this.routing = routing;
    }

    void onFailure(@Observes AuthenticationFailureEvent event) {
        if (!settings.enabled() || refusedBySignIn(event.getAuthenticationFailure())) {
            return;
        }
        Object property = event.getEventProperties().get(RoutingContext.class.getName());
        if (!(property instanceof RoutingContext context)) {
            return;
        }
        String header = context.request().getHeader(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return;
        }
        String token = header.substring(BEARER.length()).trim();
        if (routing.route(token) != BearerShape.Route.OIDC) {
            return;
        }
        SocketAddress remote = context.request().remoteAddress();
        Caller actor = new Caller(null, null, null, List.of(), null, remote == null ? null : remote.hostAddress());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", "invalid_token");
        details.put("mechanism", "oidc");
        details.putAll(claimed(token));
        audit.appendAlone(new AuditEvent(AuditAction.AUTH_FAILURE, AuditEvent.Outcome.DENIED, actor, null, null, null, details))
                .subscribe().with(ignored -> {
                }, failure -> Log.warnf("Could not audit a rejected bearer token: %s", failure.getClass().getSimpleName()));
    }

    private static boolean refusedBySignIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (OidcRefusal.audited(t) || t instanceof ApiException) {
                return true;
            }
        }
        return false;
    }

    /** Issuer, subject and algorithm as the token states them, unverified and cut short. */
    private Map<String, Object> claimed(String token) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (token.length() > MAX_DECODED) {
            return out;
        }
        String[] parts = token.split("\\.", -1);
        JsonNode header = decode(parts[0]);
        JsonNode payload = parts.length > 1 ? decode(parts[1]) : null;
        put(out, "claimed_alg", header == null ? null : header.get("alg"));
        put(out, "claimed_issuer", payload == null ? null : payload.get("iss"));
        put(out, "claimed_subject", payload == null ? null : payload.get("sub"));
        return out;
    }

    private JsonNode decode(String part) {
        try {
            return json.readTree(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
        } catch (Exception e) {
            return null;
        }
    }

    private static void put(Map<String, Object> out, String key, JsonNode value) {
        if (value != null && value.isTextual()) {
            String text = value.asText();
            out.put(key, text.length() > MAX_CLAIM ? text.substring(0, MAX_CLAIM) : text);
        }
    }
}
