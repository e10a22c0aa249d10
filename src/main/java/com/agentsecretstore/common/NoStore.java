package com.agentsecretstore.common;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Every API response says {@code Cache-Control: no-store}: values, tokens and keys travel in API
 * bodies, and no browser, proxy or client cache may keep them. All of {@code /v1} rather than a
 * list of value-carrying endpoints, so that a new one cannot forget it. {@code Pragma: no-cache}
 * is for HTTP/1.0 caches.
 */
@Singleton
public class NoStore {

    void register(@Observes Router router) {
        // Ahead of the path and text guards, so that their refusals carry the headers too.
        router.route("/v1/*").order(-1001).handler(this::mark);
    }

    void mark(RoutingContext context) {
        context.addHeadersEndHandler(v -> context.response().headers()
                .set("Cache-Control", "no-store")
                .set("Pragma", "no-cache"));
        context.next();
    }
}
