package com.agentsecretstore.common;

import java.util.List;

/**
 * A failure the client should see as RFC 9457 problem+json. The detail must never contain a secret
 * value, key or token: it is sent as is.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<FieldError> errors;

    public ApiException(int status, String title, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
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

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "Bad Request", detail, null);
    }

    public static ApiException invalid(List<FieldError> errors) {
        return new ApiException(422, "Validation Failed", "The request has invalid fields.", errors);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not Found", detail, null);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "Forbidden", detail, null);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "Conflict", detail, null);
    }

    public static ApiException tooManyRequests(String detail) {
        return new ApiException(429, "Too Many Requests", detail, null);
    }
}
