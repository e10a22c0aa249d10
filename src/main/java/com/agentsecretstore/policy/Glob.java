package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A compiled path glob over {@code /}-separated secret paths, as used by policy overrides and
 * token scopes.
 *
 * <ul>
 *   <li>{@code ?} matches exactly one character other than {@code /};</li>
 *   <li>{@code *} matches any run of characters (possibly empty) inside one segment;</li>
 *   <li>{@code **} must be a whole segment. Leading or in the middle ({@code **&#47;b},
 *       {@code a/**&#47;b}) it matches zero or more whole segments, so {@code a/**&#47;b} matches
 *       {@code a/b} and {@code a/x/y/b}. At the end ({@code a/**}) it matches one or more
 *       segments: everything <em>below</em> {@code a}, but not {@code a} itself. That is the
 *       gitignore convention, and it means a scope such as {@code production/stripe/**} never
 *       silently widens to a secret stored at {@code production/stripe}.</li>
 *   <li>every other character is literal — there are no escapes, character classes or braces,
 *       so {@code .}, {@code +}, {@code (}, {@code [}, {@code \} mean themselves.</li>
 * </ul>
 *
 * <p>Only paths made of non-empty segments can match; an empty string, a leading or trailing
 * {@code /} or {@code //} never matches. Both matching and {@link #overlaps} run on a small
 * automaton (one state per token) instead of backtracking, so their cost is bounded by
 * pattern length × input length whatever the pattern looks like.
 */
public final class Glob {

    /** Longer than the longest valid path (16 segments of 128 characters) with room for wildcards. */
    public static final int MAX_LENGTH = 4096;

    // Token kinds. The automaton has states 2k ("before token k") and, for DIRS only, 2k+1
    // ("inside a segment that DIRS is consuming"); state 2n accepts.
    static final byte LIT = 0;   // one literal character (the separator '/' is a literal too)
    static final byte ANY = 1;   // '?'
    static final byte STAR = 2;  // '*'
    static final byte DIRS = 3;  // leading or middle '**/' : zero or more "segment/" units
    static final byte REST = 4;  // trailing '**' : anything, including '/'

    /** Stands for "some character other than '/' that equals no literal under consideration". */
    static final int FRESH = -1;

    private final String pattern;
    private final byte[] kinds;
    private final char[] literals;
    private final int literalCount;

    private Glob(String pattern, byte[] kinds, char[] literals, int literalCount) {
        this.pattern = pattern;
        this.kinds = kinds;
        this.literals = literals;
        this.literalCount = literalCount;
    }

    /**
     * Compiles a pattern.
     *
     * @throws IllegalArgumentException if the pattern is null, empty, longer than
     *     {@link #MAX_LENGTH}, has an empty segment (leading, trailing or double {@code /}), a
     *     {@code .} or {@code ..} segment, or {@code **} that is not a whole segment (e.g.
     *     {@code ***}, {@code a**})
     */
    public static Glob compile(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("pattern must not be empty");
        }
        if (pattern.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("pattern must be at most " + MAX_LENGTH + " characters");
        }
        String[] segments = pattern.split("/", -1);
        List<Byte> kinds = new ArrayList<>();
        StringBuilder literals = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("pattern must not contain empty segments (leading, trailing or double '/')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("pattern must not contain '.' or '..' segments");
            }
            if (segment.equals("**")) {
                // The '/' after a leading or middle '**' belongs to DIRS, so a zero-segment match
                // leaves a single separator: a/**/b matches a/b.
                kinds.add(last ? REST : DIRS);
                literals.append('\0');
                continue;
            }
            if (segment.contains("**")) {
                throw new IllegalArgumentException("'**' must be a whole segment: \"" + segment + "\"");
            }
            for (int j = 0; j < segment.length(); j++) {
                char c = segment.charAt(j);
                if (c == '*') {
                    kinds.add(STAR);
                    literals.append('\0');
                } else if (c == '?') {
                    kinds.add(ANY);
                    literals.append('\0');
                } else {
                    kinds.add(LIT);
                    literals.append(c);
                }
            }
            if (!last) {
                kinds.add(LIT);
                literals.append('/');
            }
        }
        byte[] k = new byte[kinds.size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = kinds.get(i);
        }
        int wildcards = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?') {
                wildcards++;
            }
        }
        return new Glob(pattern, k, literals.toString().toCharArray(), pattern.length() - wildcards);
    }

    /** The pattern text as given to {@link #compile}. */
    public String pattern() {
        return pattern;
    }

    /**
     * Number of literal characters in the pattern: every character except {@code *} and
     * {@code ?}, separators included ({@code production/stripe/*} has 18). Policy resolution uses
     * it for "most specific wins".
     */
    public int literalCount() {
        return literalCount;
    }

    /** True when the pattern has no wildcard, i.e. it matches exactly one path: itself. */
    /**
     * The characters every matching path starts with: the pattern up to its first wildcard. Lets a
     * caller narrow a database query before matching.
     */
    public String literalPrefix() {
        int end = pattern.length();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?') {
                end = i;
                break;
            }
        }
        return pattern.substring(0, end);
    }

    public boolean isLiteral() {
        for (byte kind : kinds) {
            if (kind != LIT) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code path} matches the whole pattern. Null and malformed paths never match. */
    public boolean matches(String path) {
        return matches(path, EvaluationBudget.unlimited());
    }

    /**
     * {@link #matches(String)}, spending one step per state visited (and per word of the state
     * set) from {@code budget}.
     *
     * @throws EvaluationBudget.Exhausted when the budget runs out
     */
    boolean matches(String path, EvaluationBudget budget) {
        if (path == null || !hasOnlyNonEmptySegments(path)) {
            return false;
        }
        int words = (finalState() >> 6) + 1;
        BitSet current = new BitSet(finalState() + 1);
        current.set(0);
        closeOver(current);
        for (int i = 0; i < path.length() && !current.isEmpty(); i++) {
            char c = path.charAt(i);
            BitSet next = new BitSet(finalState() + 1);
            int visited = 0;
            for (int s = current.nextSetBit(0); s >= 0; s = current.nextSetBit(s + 1)) {
                visited++;
                int t = step(s, c);
                if (t >= 0) {
                    next.set(t);
                }
            }
            budget.spend(2L * (visited + words));
            closeOver(next);
            current = next;
        }
        return current.get(finalState());
    }

    /**
     * Whether at least one path (non-empty segments, any characters other than {@code /}) matches
     * both globs. Exact: a search over pairs of automaton states, O(|this| × |other|) time and
     * bits of memory. It ignores the secret path grammar's character set and length limits, so a
     * pair that could only share a path the API would refuse to store still counts as
     * overlapping — the safe direction for computing tiers.
     */
    public boolean overlaps(Glob other) {
        return overlaps(other, EvaluationBudget.unlimited());
    }

    /**
     * {@link #overlaps(Glob)}, spending one step per search node from {@code budget}.
     *
     * @throws EvaluationBudget.Exhausted when the budget runs out
     */
    boolean overlaps(Glob other, EvaluationBudget budget) {
        int statesA = finalState() + 1;
        int statesB = other.finalState() + 1;
        // Node = (state in this, state in other, "the current segment is still empty").
        BitSet visited = new BitSet(statesA * statesB * 2);
        int[] stack = new int[64];
        int top = 0;
        int start = node(0, 0, true, statesB);
        visited.set(start);
        stack[top++] = start;
        while (top > 0) {
            int n = stack[--top];
            budget.spend(1);
            boolean segmentEmpty = (n & 1) == 1;
            int b = (n >> 1) % statesB;
            int a = (n >> 1) / statesB;
            if (a == finalState() && b == other.finalState() && !segmentEmpty) {
                return true;
            }
            int[] successors = new int[8];
            int count = 0;
            if (skippable(a)) {
                successors[count++] = node(a + 2, b, segmentEmpty, statesB);
            }
            if (other.skippable(b)) {
                successors[count++] = node(a, b + 2, segmentEmpty, statesB);
            }
            // Transitions depend only on '/', on the literal (if any) each side expects, and on
            // "anything else", so those at most four characters cover the whole alphabet.
            int[] chars = {'/', literalAt(a), other.literalAt(b), FRESH};
            for (int i = 0; i < chars.length; i++) {
                int c = chars[i];
                if (c == -2 || (c == '/' && segmentEmpty) || appearsBefore(chars, i)) {
                    continue;
                }
                int ta = step(a, c);
                int tb = other.step(b, c);
                if (ta >= 0 && tb >= 0) {
                    successors[count++] = node(ta, tb, c == '/', statesB);
                }
            }
            for (int i = 0; i < count; i++) {
                int s = successors[i];
                if (!visited.get(s)) {
                    visited.set(s);
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, stack.length * 2);
                    }
                    stack[top++] = s;
                }
            }
        }
        return false;
    }

    private static int node(int a, int b, boolean segmentEmpty, int statesB) {
        return ((a * statesB + b) << 1) | (segmentEmpty ? 1 : 0);
    }

    private static boolean appearsBefore(int[] chars, int index) {
        for (int i = 0; i < index; i++) {
            if (chars[i] == chars[index]) {
                return true;
            }
        }
        return false;
    }

    // ---- automaton, shared with Reachability ----

    int finalState() {
        return 2 * kinds.length;
    }

    /** Whether the state may move to the next token without reading anything. */
    boolean skippable(int state) {
        if ((state & 1) == 1 || state == finalState()) {
            return false;
        }
        byte kind = kinds[state >> 1];
        return kind == STAR || kind == DIRS || kind == REST;
    }

    /** The literal the state's token expects, or -2 when it expects no particular character. */
    int literalAt(int state) {
        if ((state & 1) == 1 || state == finalState() || kinds[state >> 1] != LIT) {
            return -2;
        }
        return literals[state >> 1];
    }

    /** The state after reading {@code c} ({@link #FRESH} allowed), or -1 if the run dies. */
    int step(int state, int c) {
        if (state == finalState()) {
            return -1;
        }
        boolean slash = c == '/';
        if ((state & 1) == 1) { // inside a DIRS segment
            return slash ? state - 1 : state;
        }
        int k = state >> 1;
        switch (kinds[k]) {
            case LIT:
                return c == literals[k] ? state + 2 : -1;
            case ANY:
                return slash ? -1 : state + 2;
            case STAR:
                return slash ? -1 : state;
            case REST:
                return state;
            case DIRS:
                return slash ? state : state + 1;
            default:
                throw new IllegalStateException("unknown token kind " + kinds[k]);
        }
    }

    /** Adds every state reachable without reading; skips only go forward, so one pass suffices. */
    void closeOver(BitSet states) {
        for (int s = states.nextSetBit(0); s >= 0; s = states.nextSetBit(s + 1)) {
            if (skippable(s)) {
                states.set(s + 2);
            }
        }
    }

    /** Every literal character of the pattern, separators included. */
    String literalCharacters() {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < kinds.length; k++) {
            if (kinds[k] == LIT) {
                sb.append(literals[k]);
            }
        }
        return sb.toString();
    }

    static boolean hasOnlyNonEmptySegments(String path) {
        if (path.isEmpty() || path.charAt(0) == '/' || path.charAt(path.length() - 1) == '/') {
            return false;
        }
        return !path.contains("//");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob && ((Glob) o).pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
