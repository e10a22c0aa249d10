package com.agentsecretstore.policy;

import static com.agentsecretstore.support.Gen.DEFAULT_TRIES;
import static com.agentsecretstore.support.Gen.forAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Gen;

/**
 * Glob against two independent oracles: a direct segment-by-segment reading of the matching rules,
 * and brute force over every path of a small universe. Each property runs on many inputs from a
 * fixed seed (see {@link Gen}).
 */
class GlobPropertiesTest {

    /**
     * Every path of 1–4 segments over the segments a, b, aa, ab, ba, bb. Patterns below have at
     * most 2 segments of at most 2 tokens, so whenever two of them share a path they share one
     * in here: a shortest common path needs at most one segment per non-"**" pattern segment
     * (at least one), each at most 2 characters long, and 'a'/'b' serve any wildcard.
     */
    private static final List<String> UNIVERSE = universe();

    private static List<String> universe() {
        List<String> segments = List.of("a", "b", "aa", "ab", "ba", "bb");
        List<String> paths = new ArrayList<>(segments);
        List<String> previous = segments;
        for (int depth = 2; depth <= 4; depth++) {
            List<String> next = new ArrayList<>();
            for (String p : previous) {
                for (String s : segments) {
                    next.add(p + "/" + s);
                }
            }
            paths.addAll(next);
            previous = next;
        }
        return paths;
    }

    // ---- generators ----

    private static String segment(Gen gen, int maxTokens, String... literals) {
        List<String> tokens = new ArrayList<>(List.of(literals));
        tokens.add("*");
        tokens.add("?");
        return gen.sometimes(5, () -> "**", () -> gen.filter(
            () -> String.join("", gen.list(1, maxTokens, () -> gen.oneOf(tokens))),
            s -> !s.contains("**") && !s.equals(".") && !s.equals("..")));
    }

    private static String glob(Gen gen, int maxSegments, int maxTokens, String... literals) {
        return String.join("/", gen.list(1, maxSegments, () -> segment(gen, maxTokens, literals)));
    }

    private static String smallGlob(Gen gen) {
        return glob(gen, 2, 2, "a", "b");
    }

    private static String richGlob(Gen gen) {
        return glob(gen, 4, 4, "a", "b", ".", "+", "(");
    }

    /** A path built from a pattern: usually a match, often a near miss. */
    private static String nearPath(Gen gen, String pattern) {
        StringBuilder path = new StringBuilder();
        String[] segments = pattern.split("/");
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                path.append(gen.oneOf("/", "/", "/", "", "//"));
            }
            if (segments[i].equals("**")) {
                path.append(gen.oneOf("", "a", "b/a", "a/b/", "/"));
                continue;
            }
            for (char c : segments[i].toCharArray()) {
                if (c == '*') {
                    path.append(gen.string("ab./", 0, 3));
                } else if (c == '?') {
                    path.append(gen.oneOf("a", "b", "/", "", "ab"));
                } else {
                    String literal = String.valueOf(c);
                    path.append(gen.oneOf(literal, literal, literal, "a", ""));
                }
            }
        }
        return path.toString();
    }

    private static String anyString(Gen gen) {
        return gen.string("ab.+(/", 0, 10);
    }

    private static String validPath(Gen gen) {
        return String.join("/", gen.list(1, 5,
            () -> gen.filter(() -> gen.string("abc.-_0", 1, 4), s -> !s.equals(".") && !s.equals(".."))));
    }

    private static String universePath(Gen gen) {
        return gen.oneOf(UNIVERSE);
    }

    private record PatternAndPath(String pattern, String path) {
    }

    private record TwoGlobs(String a, String b) {
    }

    private record ThreeGlobs(String a, String b, String excluded) {
    }

    // ---- oracle: the rules read literally ----

    private static boolean oracleMatches(String pattern, String path) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
            return false;
        }
        return oracle(pattern.split("/"), 0, path.split("/"), 0);
    }

    private static boolean oracle(String[] pattern, int i, String[] path, int j) {
        if (i == pattern.length) {
            return j == path.length;
        }
        if (pattern[i].equals("**")) {
            if (i == pattern.length - 1) {
                return path.length - j >= 1; // trailing: one or more segments
            }
            for (int k = j; k <= path.length; k++) { // elsewhere: zero or more
                if (oracle(pattern, i + 1, path, k)) {
                    return true;
                }
            }
            return false;
        }
        return j < path.length && segmentRegex(pattern[i]).matcher(path[j]).matches()
            && oracle(pattern, i + 1, path, j + 1);
    }

    private static Pattern segmentRegex(String segment) {
        StringBuilder regex = new StringBuilder();
        for (char c : segment.toCharArray()) {
            if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static boolean bruteForceOverlap(Glob a, Glob b) {
        for (String p : UNIVERSE) {
            if (a.matches(p) && b.matches(p)) {
                return true;
            }
        }
        return false;
    }

    // ---- properties (each with its own fixed seed; see Gen) ----

    @Test
    void matchesAgreesWithTheRulesReadLiterally() {
        forAll(101, 2000, gen -> new PatternAndPath(richGlob(gen), anyString(gen)),
            in -> assertEquals(oracleMatches(in.pattern(), in.path()), Glob.compile(in.pattern()).matches(in.path())));
    }

    @Test
    void matchesAgreesWithTheRulesOnNearMisses() {
        forAll(102, 3000, gen -> {
            String pattern = richGlob(gen);
            return new PatternAndPath(pattern, nearPath(gen, pattern));
        }, in -> assertEquals(oracleMatches(in.pattern(), in.path()), Glob.compile(in.pattern()).matches(in.path())));
    }

    @Test
    void matchesAgreesWithTheRulesOnValidPaths() {
        forAll(103, DEFAULT_TRIES, gen -> new PatternAndPath(smallGlob(gen), universePath(gen)),
            in -> assertEquals(oracleMatches(in.pattern(), in.path()), Glob.compile(in.pattern()).matches(in.path())));
    }

    @Test
    void globWithoutWildcardsMatchesExactlyItself() {
        // One in four "other" paths is the path itself, so that both answers come up.
        forAll(104, DEFAULT_TRIES, gen -> {
            String path = validPath(gen);
            return new PatternAndPath(path, gen.sometimes(4, () -> path, () -> validPath(gen)));
        }, in -> {
            Glob g = Glob.compile(in.pattern());
            assertTrue(g.isLiteral());
            assertTrue(g.matches(in.pattern()));
            assertEquals(in.pattern().equals(in.path()), g.matches(in.path()));
        });
    }

    @Test
    void literalCountIsPatternLengthWithoutWildcards() {
        forAll(105, DEFAULT_TRIES, GlobPropertiesTest::richGlob, pattern -> {
            long wildcards = pattern.chars().filter(c -> c == '*' || c == '?').count();
            assertEquals(pattern.length() - wildcards, Glob.compile(pattern).literalCount());
        });
    }

    @Test
    void overlapsAgreesWithBruteForce() {
        forAll(106, 1500, gen -> new TwoGlobs(smallGlob(gen), smallGlob(gen)), in -> {
            Glob ga = Glob.compile(in.a());
            Glob gb = Glob.compile(in.b());
            assertEquals(bruteForceOverlap(ga, gb), ga.overlaps(gb));
        });
    }

    @Test
    void overlapsIsSymmetric() {
        forAll(107, DEFAULT_TRIES, gen -> new TwoGlobs(richGlob(gen), richGlob(gen)), in -> assertEquals(
            Glob.compile(in.a()).overlaps(Glob.compile(in.b())), Glob.compile(in.b()).overlaps(Glob.compile(in.a()))));
    }

    @Test
    void everyGlobOverlapsItself() {
        forAll(108, DEFAULT_TRIES, GlobPropertiesTest::richGlob,
            a -> assertTrue(Glob.compile(a).overlaps(Glob.compile(a))));
    }

    @Test
    void matchingAPathIsOverlappingItsLiteralGlob() {
        forAll(109, 2000, gen -> new PatternAndPath(smallGlob(gen), universePath(gen)), in -> {
            Glob g = Glob.compile(in.pattern());
            assertEquals(g.matches(in.path()), g.overlaps(Glob.compile(in.path())));
        });
    }

    @Test
    void overlapsAgreesWithWitnessSearch() {
        forAll(110, DEFAULT_TRIES, gen -> new TwoGlobs(richGlob(gen), richGlob(gen)), in -> {
            Glob ga = Glob.compile(in.a());
            Glob gb = Glob.compile(in.b());
            Reachability.Result r = Reachability.search(List.of(ga, gb), List.of(), Integer.MAX_VALUE);
            assertEquals(ga.overlaps(gb), r.status() == Reachability.Status.FOUND);
            if (r.status() == Reachability.Status.FOUND) {
                assertTrue(ga.matches(r.witness()) && gb.matches(r.witness()), r.witness());
            }
        });
    }

    @Test
    void witnessSearchHonoursExclusions() {
        forAll(111, 1500, gen -> new ThreeGlobs(smallGlob(gen), smallGlob(gen), smallGlob(gen)), in -> {
            Glob ga = Glob.compile(in.a());
            Glob gb = Glob.compile(in.b());
            Glob gx = Glob.compile(in.excluded());
            Reachability.Result r = Reachability.search(List.of(ga, gb), List.of(gx), Integer.MAX_VALUE);
            if (r.status() == Reachability.Status.FOUND) {
                String w = r.witness();
                assertTrue(ga.matches(w) && gb.matches(w) && !gx.matches(w), w);
            } else {
                assertEquals(Reachability.Status.NONE, r.status());
                for (String p : UNIVERSE) {
                    assertFalse(ga.matches(p) && gb.matches(p) && !gx.matches(p), p);
                }
            }
        });
    }
}
