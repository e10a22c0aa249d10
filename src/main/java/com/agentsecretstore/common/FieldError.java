package com.agentsecretstore.common;

/** One invalid field in a request, named as the client sent it (e.g. {@code path_overrides[1].tier}). */
public record FieldError(String field, String message) {
}
