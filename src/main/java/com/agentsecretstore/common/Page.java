package com.agentsecretstore.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One page of a list. The cursor is opaque to clients: it encodes the sort key of the last item,
 * which for our ULID-keyed tables is simply its id.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Page<T>(List<T> items,
        @Schema(nullable = true, description = "Pass as `cursor` for the next page; null on the last page") String nextCursor) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /**
     * Validates {@code limit} as the client sent it; null means the default. Parsed here rather
     * than by JAX-RS, which would answer a non-number with 404.
     */
    public static int limit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("limit", "must be a number between 1 and " + MAX_LIMIT);
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw ApiException.invalid("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return n;
    }

    public static String encodeCursor(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a cursor from a client; null stays null, garbage is a 422 naming {@code cursor}. */
    public static String decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            // A forged cursor may decode to U+0000, which PostgreSQL cannot compare as text.
            if (key.isEmpty() || key.length() > 2048 || key.indexOf('\0') >= 0) {
                throw new IllegalArgumentException();
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("cursor", "is not a cursor returned by this list");
        }
    }

    /**
     * Builds a page from up to {@code limit + 1} rows fetched in key order: the extra row only
     * tells that there is more.
     */
    public static <E, T> Page<T> of(List<E> rows, int limit, Function<E, String> key, Function<E, T> map) {
        boolean more = rows.size() > limit;
        List<E> shown = more ? rows.subList(0, limit) : rows;
        String next = more ? encodeCursor(key.apply(shown.get(shown.size() - 1))) : null;
        return new Page<>(shown.stream().map(map).toList(), next);
    }
}
