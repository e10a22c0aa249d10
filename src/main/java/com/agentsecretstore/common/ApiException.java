package com.agentsecretstore.common;

import java.util.List;
import java.util.Map;

/**
 * A failure the client should see as RFC 9457 problem+json, of a {@link ProblemType} with optional
 * extension members. The detail must never contain a secret value, key or token: it is sent as is.
 */
public class ApiException extends RuntimeException {

    private final ProblemType type;
    private final int status;
    private final String title;
    private final List<FieldError> errors;
    private final Map<String, Object> extensions;

    /** A problem of the generic kind of its status. */
    public ApiException(int status, String title, String detail, List<FieldError> errors) {
        this(ProblemType.forStatus(status), status, title, detail, errors, null);
    }

    /** A problem of this kind, with its status and title. */
    public ApiException(ProblemType type, String detail, List<FieldError> errors, Map<String, Object> extensions) {
        this(type, type.status(), type.title(), detail, errors, extensions);
    }

    private ApiException(ProblemType type, int status, String title, String detail, List<FieldError> errors,
            Map<String, Object> extensions) {
        super(detail, null, false, false);
        this.type = type;
        this.status = status;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
        this.extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public ProblemType type() {
        return type;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** Extension members of the problem: values a client acts on, never secrets. */
    public Map<String, Object> extensions() {
        return extensions;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(ProblemType.BAD_REQUEST, detail, null, null);
    }

    public static ApiException invalid(List<FieldError> errors) {
        return new ApiException(ProblemType.VALIDATION_FAILED, "The request has invalid fields.", errors, null);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    /** An invalid field, with extension members telling the client the valid range. */
    public static ApiException invalid(String field, String message, Map<String, Object> extensions) {
        return new ApiException(ProblemType.VALIDATION_FAILED, "The request has invalid fields.",
                List.of(new FieldError(field, message)), extensions);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(ProblemType.NOT_FOUND, detail, null, null);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(ProblemType.FORBIDDEN, detail, null, null);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(ProblemType.CONFLICT, detail, null, null);
    }

    public static ApiException tooManyRequests(String detail) {
        return new ApiException(ProblemType.RATE_LIMITED, detail, null, null);
    }
}
