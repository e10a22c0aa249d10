package com.agentsecretstore.secret;

import java.util.List;
import java.util.regex.Pattern;

import com.agentsecretstore.common.ApiException;

/**
 * A validated secret path: {@code namespace/segment/...}, 2 to 16 segments of
 * {@code [A-Za-z0-9._-]{1,128}}, none of them {@code .} or {@code ..}. The last segment may not be
 * {@code versions}, which names the version list of the path before it.
 */
public record SecretPath(String value, String namespace) {

    public static final int MAX_SEGMENTS = 16;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** Parses a path from a client, or throws a 422 naming {@code field}. */
    public static SecretPath parse(String raw, String field) {
        String problem = problem(raw);
        if (problem != null) {
            throw ApiException.invalid(field, problem);
        }
        return new SecretPath(raw, raw.substring(0, raw.indexOf('/')));
    }

    /** Why {@code raw} is not a valid path, or null when it is. */
    public static String problem(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "must not be empty";
        }
        if (raw.length() > MAX_SEGMENTS * 129) {
            return "is too long";
        }
        if (raw.startsWith("/") || raw.endsWith("/")) {
            return "must not start or end with '/'";
        }
        List<String> segments = List.of(raw.split("/", -1));
        if (segments.size() < 2) {
            return "must be namespace/name: at least two segments";
        }
        if (segments.size() > MAX_SEGMENTS) {
            return "must have at most " + MAX_SEGMENTS + " segments";
        }
        for (String s : segments) {
            if (s.isEmpty()) {
                return "must not contain empty segments";
            }
            if (s.equals(".") || s.equals("..")) {
                return "must not contain '.' or '..' segments";
            }
            if (s.length() > 128) {
                return "segments must be at most 128 characters";
            }
            if (!SEGMENT.matcher(s).matches()) {
                return "segments may contain only letters, digits, '.', '_' and '-'";
            }
        }
        if (segments.get(segments.size() - 1).equals("versions")) {
            return "must not end with the reserved segment 'versions'";
        }
        return null;
    }

    @Override
    public String toString() {
        return value;
    }
}
