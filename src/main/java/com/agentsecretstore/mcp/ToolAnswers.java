package com.agentsecretstore.mcp;

import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Problem;
import com.agentsecretstore.common.ProblemType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

/**
 * Turns the answer of a command or query into an MCP tool result: the value as JSON text, or a
 * refusal as a tool error ({@code isError}) whose text is the same RFC 9457 problem the REST API
 * sends — type, title, status, a detail safe to show, the invalid fields and extension members. A
 * failure nobody foresaw says nothing internal and is logged here, as {@code ProblemMapper} does
 * for REST; the extension never sees an exception, so it never echoes one.
 */
@ApplicationScoped
public class ToolAnswers {

    static final String INSTANCE = "/mcp";

    private final ObjectMapper json;

    public ToolAnswers(ObjectMapper json) {
        this.json = json;
    }

    /** Runs {@code call}; whatever it throws or fails with becomes a tool error. */
    public Uni<ToolResponse> answer(String tool, Supplier<Uni<? extends Object>> call) {
        return Uni.createFrom().<Object>deferred(call)
                .map(this::success)
                .onFailure().recoverWithItem(e -> failure(tool, e));
    }

    private ToolResponse success(Object value) {
        try {
            return ToolResponse.success(new TextContent(json.writeValueAsString(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tool answer is not serializable", e);
        }
    }

    ToolResponse failure(String tool, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return error(Problem.of(api.type(), api.status(), api.title(), api.getMessage(), INSTANCE, api.errors(),
                        api.extensions()));
            }
            if (t instanceof AuthenticationFailedException || t instanceof UnauthorizedException) {
                return error(Problem.of(401, "Unauthorized", "A valid API key or service-account token is required.",
                        INSTANCE, null));
            }
            // Two writers raced for the same unique name: the loser learns it as a conflict.
            if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
                return error(Problem.of(409, "Conflict", "The request conflicts with an existing resource.", INSTANCE, null));
            }
        }
        Log.errorf(e, "Unexpected failure of MCP tool %s", tool);
        return error(Problem.of(ProblemType.forStatus(500), 500, "Internal Server Error",
                "The server could not complete the request.", INSTANCE, List.of(), null));
    }

    private ToolResponse error(Problem problem) {
        String text;
        try {
            text = problem.toJson(json);
        } catch (JsonProcessingException impossible) {
            text = problem.title() + ": " + problem.detail();
        }
        return new ToolResponse(true, List.of(new TextContent(text)));
    }
}
