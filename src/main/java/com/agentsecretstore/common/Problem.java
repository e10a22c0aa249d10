package com.agentsecretstore.common;

import java.util.List;

/** RFC 9457 problem details, the body of every error response. */
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail, String instance, List<FieldError> errors) {
        return new Problem("about:blank", title, status, detail, instance, errors == null || errors.isEmpty() ? null : errors);
    }
}
