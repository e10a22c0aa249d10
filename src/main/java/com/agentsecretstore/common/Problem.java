package com.agentsecretstore.common;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RFC 9457 problem details, the body of every error response. {@code type} is the URI of a
 * {@link ProblemType}; {@code extensions} become top-level members (RFC 9457 section 3.2) holding
 * values a client acts on, such as {@code max_wait_seconds} or {@code retry_after_seconds}.
 */
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors,
        @JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(ProblemType kind, int status, String title, String detail, String instance,
            List<FieldError> errors, Map<String, Object> extensions) {
        return new Problem(kind.uri(), title, status, detail, instance, errors == null || errors.isEmpty() ? null : errors,
                extensions == null || extensions.isEmpty() ? Map.of() : Map.copyOf(extensions));
    }

    /** A problem of the generic kind of its status. */
    public static Problem of(int status, String title, String detail, String instance, List<FieldError> errors) {
        return of(ProblemType.forStatus(status), status, title, detail, instance, errors, null);
    }

    /** The JSON body: the standard members, then the extension members. */
    public String toJson(ObjectMapper json) throws JsonProcessingException {
        ObjectNode node = json.valueToTree(this);
        extensions.forEach((k, v) -> {
            if (!node.has(k)) {
                node.set(k, json.valueToTree(v));
            }
        });
        return json.writeValueAsString(node);
    }
}
