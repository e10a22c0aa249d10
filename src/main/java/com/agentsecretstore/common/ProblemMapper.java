package com.agentsecretstore.common;

import java.util.ArrayList;
import java.util.List;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place that turns failures into RFC 9457 problem+json. Client errors say what was wrong
 * and name the field; server errors say nothing internal and are logged here instead. Jackson's own
 * messages are never echoed, since they can quote the request body.
 */
public class ProblemMapper {

    /** What a client is told about a field holding U+0000, in a body or a query parameter. */
    public static final String NUL_MESSAGE = "must not contain the NUL character (U+0000)";

    private final ObjectMapper json;

    public ProblemMapper(ObjectMapper json) {
        this.json = json;
    }

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        Response.ResponseBuilder builder = problemBuilder(Problem.of(e.type(), e.status(), e.title(), e.getMessage(),
                path(uri), e.errors(), e.extensions()));
        if (e instanceof RateLimitedException limited) {
            builder.header("Retry-After", limited.retryAfterSeconds());
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        List<FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.add(new FieldError(fieldName(v.getPropertyPath()), v.getMessage()));
        }
        errors.sort((a, b) -> a.field().compareTo(b.field()));
        return problem(422, "Validation Failed", "The request has invalid fields.", uri, errors);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    /** Declared apart from {@link #json} because Quarkus ships its own mapper for this subtype. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(e, uri);
    }

    @ServerExceptionMapper
    public Response authenticationCompletion(AuthenticationCompletionException e, UriInfo uri) {
        return unauthorized(e, uri);
    }

    /** A 401, unless the failure was a sign-in over its rate limit (which security may have wrapped). */
    private Response unauthorized(Throwable e, UriInfo uri) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RateLimitedException limited) {
                return api(limited, uri);
            }
        }
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return problem(403, "Forbidden", "This principal may not perform this operation.", uri, null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException jpe) {
            return jsonProblem(jpe, uri);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            Log.errorf(e, "Request to %s failed", uri.getPath());
            return problem(status, "Internal Server Error", "The server could not complete the request.", uri, null);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed on this resource.";
            case 406 -> "The requested media type cannot be produced.";
            case 415 -> "The request body must be application/json.";
            case 400 -> "The request is malformed.";
            default -> title + ".";
        };
        Response.ResponseBuilder builder = problemBuilder(status, title, detail, uri, null);
        if (status == 405 && e.getResponse().getHeaderString(HttpHeaders.ALLOW) != null) {
            builder.header(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW));
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api(api, uri);
            }
            // Two writers raced for the same unique name: the loser learns it as a conflict.
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
                return problem(409, "Conflict", "The request conflicts with an existing resource.", uri, null);
            }
        }
        Log.errorf(e, "Unexpected failure serving %s", uri.getPath());
        return problem(500, "Internal Server Error", "The server could not complete the request.", uri, null);
    }

    private Response jsonProblem(JsonProcessingException e, UriInfo uri) {
        if (e instanceof NoNulStrings.NulCharacterException nul) {
            String field = path(nul);
            return problem(422, "Validation Failed", "The request has invalid fields.", uri,
                    List.of(new FieldError(field.isEmpty() ? "body" : field, NUL_MESSAGE)));
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return problem(400, "Bad Request", "Unknown field.", uri,
                    List.of(new FieldError(path(u), "unknown field")));
        }
        if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
            JsonMappingException m = (JsonMappingException) e;
            String field = path(m);
            if (field.isEmpty()) {
                return problem(400, "Bad Request", "The request body has the wrong shape.", uri, null);
            }
            return problem(400, "Bad Request", "A field has the wrong type.", uri,
                    List.of(new FieldError(field, "wrong type or format")));
        }
        return problem(400, "Bad Request", "The request body is not valid JSON.", uri, null);
    }

    private Response unauthorized(UriInfo uri) {
        return problemBuilder(401, "Unauthorized", "A valid API key is required.", uri, null)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** Bean Validation names Java properties; clients sent snake_case, so name them that way. */
    static String fieldName(Path path) {
        StringBuilder sb = new StringBuilder();
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, PARAMETER, RETURN_VALUE, CROSS_PARAMETER -> {
                    // The method and parameter names are ours, not the client's.
                }
                case CONTAINER_ELEMENT -> {
                    if (node.getIndex() != null) {
                        sb.append('[').append(node.getIndex()).append(']');
                    }
                }
                default -> {
                    if (node.getName() == null) {
                        continue;
                    }
                    if (!sb.isEmpty()) {
                        sb.append('.');
                    }
                    sb.append(snake(node.getName()));
                    if (node.getIndex() != null) {
                        sb.append('[').append(node.getIndex()).append(']');
                    }
                }
            }
        }
        if (sb.isEmpty()) {
            Path.Node last = null;
            for (Path.Node node : path) {
                last = node;
            }
            return last == null || last.getName() == null ? "body" : snake(last.getName());
        }
        return sb.toString();
    }

    static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private Response problem(int status, String title, String detail, UriInfo uri, List<FieldError> errors) {
        return problemBuilder(status, title, detail, uri, errors).build();
    }

    private Response.ResponseBuilder problemBuilder(int status, String title, String detail, UriInfo uri,
            List<FieldError> errors) {
        return problemBuilder(Problem.of(status, title, detail, path(uri), errors));
    }

    private Response.ResponseBuilder problemBuilder(Problem problem) {
        String body;
        try {
            body = problem.toJson(json);
        } catch (JsonProcessingException impossible) {
            body = "{\"type\":\"" + ProblemType.INTERNAL_ERROR.uri() + "\",\"title\":\"Internal Server Error\",\"status\":500}";
            return Response.status(500).type(Problem.MEDIA_TYPE).entity(body);
        }
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(body);
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
