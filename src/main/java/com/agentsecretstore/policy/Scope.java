package com.agentsecretstore.policy;

import java.util.regex.Pattern;

/**
 * A token scope, {@code secrets:read:<path glob>}. The first segment of the glob is the namespace
 * and must be literal: a scope never spans namespaces, so one policy decides it.
 */
public record Scope(String value, Glob glob, String namespace) {

    public static final String PREFIX = "secrets:read:";
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern GLOB_CHARACTERS = Pattern.compile("[A-Za-z0-9._\\-/*?]+");

    /** Parses a scope, or returns null with {@link #problem} telling why. */
    public static Scope parse(String raw) {
        return problem(raw) == null ? build(raw) : null;
    }

    /** Why {@code raw} is not a scope, or null when it is one. */
    public static String problem(String raw) {
        if (raw == null || raw.isBlank()) {
            return "is required";
        }
        if (!raw.startsWith(PREFIX)) {
            return "must look like secrets:read:<path glob>";
        }
        String glob = raw.substring(PREFIX.length());
        if (glob.length() > 2048 || !GLOB_CHARACTERS.matcher(glob).matches()) {
            return "the path glob may contain only letters, digits, '.', '_', '-', '/', '*' and '?'";
        }
        int slash = glob.indexOf('/');
        String namespace = slash < 0 ? glob : glob.substring(0, slash);
        if (slash < 0 || !NAMESPACE.matcher(namespace).matches() || namespace.equals(".") || namespace.equals("..")) {
            return "the path glob must start with a literal namespace, e.g. secrets:read:production/stripe/*";
        }
        if (glob.split("/", -1).length > NamespacePolicy.MAX_PATH_SEGMENTS) {
            return "the path glob must have at most " + NamespacePolicy.MAX_PATH_SEGMENTS + " segments";
        }
        try {
            Glob.compile(glob);
        } catch (IllegalArgumentException e) {
            return "the path glob is malformed: " + e.getMessage();
        }
        return null;
    }

    private static Scope build(String raw) {
        String glob = raw.substring(PREFIX.length());
        return new Scope(raw, Glob.compile(glob), glob.substring(0, glob.indexOf('/')));
    }

    public boolean covers(String path) {
        return glob.matches(path);
    }

    /**
     * Whether every path this scope covers is covered by {@code wider} too, segment by segment. It
     * is conservative: it may answer no for an exotic subset (two different wildcard segments, say),
     * never yes for a scope that reaches a path {@code wider} does not.
     */
    public boolean within(Scope wider) {
        return within(glob.pattern().split("/"), 0, wider.glob.pattern().split("/"), 0);
    }

    private static boolean within(String[] n, int i, String[] w, int j) {
        if (j == w.length) {
            return i == n.length;
        }
        if (w[j].equals("**")) {
            if (j == w.length - 1) {
                // A trailing ** takes one or more segments of any kind.
                return i < n.length;
            }
            // Elsewhere zero or more: skip it, or let it absorb the next segment (a ** of n included).
            return within(n, i, w, j + 1) || (i < n.length && within(n, i + 1, w, j));
        }
        if (i == n.length || n[i].equals("**") || !segmentWithin(n[i], w[j])) {
            return false;
        }
        return within(n, i + 1, w, j + 1);
    }

    private static boolean segmentWithin(String narrow, String wide) {
        if (narrow.equals(wide) || wide.equals("*")) {
            return true;
        }
        boolean literal = narrow.indexOf('*') < 0 && narrow.indexOf('?') < 0;
        return literal && Glob.compile(wide).matches(narrow);
    }
}
