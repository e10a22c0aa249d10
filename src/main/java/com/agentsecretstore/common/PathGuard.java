package com.agentsecretstore.common;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses API paths with dot segments or encoded slashes before anything else sees them. HTTP
 * stacks normalize {@code a/../b} to {@code b}; for a secret store that silently changes which
 * secret a request names, so such requests are rejected instead.
 */
@Singleton
public class PathGuard {

    static final String BODY = "{\"type\":\"" + ProblemType.BAD_REQUEST.uri() + "\",\"title\":\"Bad Request\",\"status\":400,"
            + "\"detail\":\"The request path must not contain '.' or '..' segments or encoded slashes.\"}";

    void register(@Observes Router router) {
        router.route("/v1/*").order(-1000).handler(this::check);
    }

    void check(RoutingContext context) {
        if (ambiguous(context.request().path())) {
            context.response().setStatusCode(400).putHeader("Content-Type", Problem.MEDIA_TYPE).end(BODY);
            return;
        }
        context.next();
    }

    static boolean ambiguous(String rawPath) {
        if (rawPath == null || (rawPath.indexOf('.') < 0 && rawPath.indexOf('%') < 0 && rawPath.indexOf('\\') < 0)) {
            return false; // nothing to decode and no dot: the common case, without the work below
        }
        String lower = rawPath.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || rawPath.contains("\\")) {
            return true;
        }
        for (String segment : rawPath.split("/", -1)) {
            String decoded;
            try {
                decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return true;
            }
            if (decoded.equals(".") || decoded.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
