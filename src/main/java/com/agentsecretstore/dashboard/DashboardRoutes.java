package com.agentsecretstore.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the approver dashboard's single page under {@code /dashboard}. Its files live in
 * {@code META-INF/resources/dashboard/} and are served by Quarkus's static handler; this class adds
 * the security headers to every dashboard response and answers the app's own routes (such as the
 * {@code approve_url} of notifications, {@code /dashboard/approvals/apr_…}) with {@code index.html},
 * so that deep links load the app, which then routes in the browser.
 *
 * <p>A Vert.x route rather than a JAX-RS resource: the page needs no authentication (the key is
 * entered in the browser and sent only to the API) and must not go through the API's problem+json
 * handling.
 */
@Singleton
public class DashboardRoutes {

    /**
     * Nothing but the service's own origin: no inline script or style, no framing, no base
     * element, form posts only to ourselves. The API calls are same-origin fetches.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    static final String INDEX = "META-INF/resources/dashboard/index.html";

    private Buffer index;

    void register(@Observes Router router) {
        index = Buffer.buffer(load(INDEX));
        // Before the static handler and REST; after PathGuard (which only looks at /v1).
        router.routeWithRegex("/dashboard(/.*)?").order(-100).handler(this::handle);
    }

    void handle(RoutingContext context) {
        context.addHeadersEndHandler(v -> secure(context.response()));
        HttpMethod method = context.request().method();
        if ((method == HttpMethod.GET || method == HttpMethod.HEAD) && isAppRoute(context.normalizedPath())) {
            HttpServerResponse response = context.response();
            response.putHeader("Content-Type", "text/html; charset=utf-8");
            if (method == HttpMethod.HEAD) {
                response.putHeader("Content-Length", String.valueOf(index.length())).end();
            } else {
                response.end(index);
            }
            return;
        }
        context.next();
    }

    /**
     * Whether a path names a page of the app rather than one of its files. Files have an extension
     * in their last segment; the app's routes never do (ids are a prefix plus a ULID).
     */
    static boolean isAppRoute(String path) {
        if (path == null || !(path.equals("/dashboard") || path.startsWith("/dashboard/"))) {
            return false;
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        return !last.contains(".");
    }

    static void secure(HttpServerResponse response) {
        response.headers()
                .set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set("X-Frame-Options", "DENY")
                // Revalidate every time: after an upgrade the browser must not mix old and new modules.
                .set("Cache-Control", "no-cache");
    }

    private static byte[] load(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
