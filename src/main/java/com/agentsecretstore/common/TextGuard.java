package com.agentsecretstore.common;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses U+0000 in an API path or query parameter before anything else sees it: PostgreSQL cannot
 * store or compare it in {@code text}, so it used to fail the statement and answer 500. Request
 * bodies get the same check from {@link NoNulStrings}.
 */
@Singleton
public class TextGuard {

    private final ObjectMapper json;

    public TextGuard(ObjectMapper json) {
        this.json = json;
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(-999).handler(this::check);
    }

    void check(RoutingContext context) {
        String field = null;
        if (context.request().path().contains("%00")) {
            field = "path";
        } else if (context.request().query() != null && context.request().query().contains("%00")) {
            for (Map.Entry<String, String> param : context.queryParams()) {
                if (param.getKey().indexOf('\0') >= 0 || param.getValue().indexOf('\0') >= 0) {
                    field = param.getKey().replace("\0", "");
                    break;
                }
            }
        }
        if (field == null) {
            context.next();
            return;
        }
        context.response().setStatusCode(422).putHeader("Content-Type", Problem.MEDIA_TYPE).end(body(field));
    }

    private String body(String field) {
        try {
            return Problem.of(422, "Validation Failed", "The request has invalid fields.", null,
                    List.of(new FieldError(field.isEmpty() ? "query" : field, ProblemMapper.NUL_MESSAGE))).toJson(json);
        } catch (JsonProcessingException impossible) {
            return "{\"type\":\"" + ProblemType.VALIDATION_FAILED.uri() + "\",\"title\":\"Validation Failed\",\"status\":422}";
        }
    }
}
