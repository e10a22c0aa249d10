package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Glob against two independent oracles: a direct segment-by-segment reading of the matching rules,
 * and brute force over every path of a small universe.
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

    private static Arbitrary<String> segment(int maxTokens, String... literals) {
        List<String> tokens = new ArrayList<>(List.of(literals));
        tokens.add("*");
        tokens.add("?");
        Arbitrary<String> fixed = Arbitraries.of(tokens).list().ofMinSize(1).ofMaxSize(maxTokens)
            .map(l -> String.join("", l))
            .filter(s -> !s.contains("**") && !s.equals(".") && !s.equals(".."));
        return Arbitraries.frequencyOf(Tuple.of(4, fixed), Tuple.of(1, Arbitraries.just("**")));
    }

    private static Arbitrary<String> glob(int maxSegments, int maxTokens, String... literals) {
        return segment(maxTokens, literals).list().ofMinSize(1).ofMaxSize(maxSegments).map(l -> String.join("/", l));
    }

    @Provide
    Arbitrary<String> smallGlobs() {
        return glob(2, 2, "a", "b");
    }

    @Provide
    Arbitrary<String> richGlobs() {
        return glob(4, 4, "a", "b", ".", "+", "(");
    }

    /** A pattern with a path built from it: usually a match, often a near miss. */
    @Provide
    Arbitrary<Tuple.Tuple2<String, String>> patternsWithNearPaths() {
        return richGlobs().flatMap(p -> nearPath(p).map(path -> Tuple.of(p, path)));
    }

    private static Arbitrary<String> nearPath(String pattern) {
        List<Arbitrary<String>> pieces = new ArrayList<>();
        String[] segments = pattern.split("/");
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                pieces.add(Arbitraries.of("/", "/", "/", "", "//"));
            }
            if (segments[i].equals("**")) {
                pieces.add(Arbitraries.of("", "a", "b/a", "a/b/", "/"));
                continue;
            }
            for (char c : segments[i].toCharArray()) {
                if (c == '*') {
                    pieces.add(Arbitraries.strings().withChars("ab./").ofMaxLength(3));
                } else if (c == '?') {
                    pieces.add(Arbitraries.of("a", "b", "/", "", "ab"));
                } else {
                    String literal = String.valueOf(c);
                    pieces.add(Arbitraries.of(literal, literal, literal, "a", ""));
                }
            }
        }
        return Combinators.combine(pieces).as(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> anyStrings() {
        return Arbitraries.strings().withChars("ab.+(/").ofMaxLength(10);
    }

    @Provide
    Arbitrary<String> validPaths() {
        return Arbitraries.strings().withChars("abc.-_0").ofMinLength(1).ofMaxLength(4)
            .filter(s -> !s.equals(".") && !s.equals(".."))
            .list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("/", l));
    }

    @Provide
    Arbitrary<String> universePaths() {
        return Arbitraries.of(UNIVERSE);
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

    // ---- properties ----

    @Property(tries = 2000)
    void matchesAgreesWithTheRulesReadLiterally(@ForAll("richGlobs") String pattern, @ForAll("anyStrings") String path) {
        assertEquals(oracleMatches(pattern, path), Glob.compile(pattern).matches(path));
    }

    // Edge cases of a combination of many small generators add time and no new shapes.
    @Property(tries = 3000, edgeCases = EdgeCasesMode.NONE)
    void matchesAgreesWithTheRulesOnNearMisses(@ForAll("patternsWithNearPaths") Tuple.Tuple2<String, String> example) {
        assertEquals(oracleMatches(example.get1(), example.get2()), Glob.compile(example.get1()).matches(example.get2()),
            example.get1() + " vs " + example.get2());
    }

    @Property
    void matchesAgreesWithTheRulesOnValidPaths(@ForAll("smallGlobs") String pattern, @ForAll("universePaths") String path) {
        assertEquals(oracleMatches(pattern, path), Glob.compile(pattern).matches(path));
    }

    @Property
    void globWithoutWildcardsMatchesExactlyItself(@ForAll("validPaths") String path, @ForAll("validPaths") String other) {
        Glob g = Glob.compile(path);
        assertTrue(g.isLiteral());
        assertTrue(g.matches(path));
        assertEquals(path.equals(other), g.matches(other));
    }

    @Property
    void literalCountIsPatternLengthWithoutWildcards(@ForAll("richGlobs") String pattern) {
        long wildcards = pattern.chars().filter(c -> c == '*' || c == '?').count();
        assertEquals(pattern.length() - wildcards, Glob.compile(pattern).literalCount());
    }

    @Property(tries = 1500)
    void overlapsAgreesWithBruteForce(@ForAll("smallGlobs") String a, @ForAll("smallGlobs") String b) {
        Glob ga = Glob.compile(a);
        Glob gb = Glob.compile(b);
        assertEquals(bruteForceOverlap(ga, gb), ga.overlaps(gb));
    }

    @Property
    void overlapsIsSymmetric(@ForAll("richGlobs") String a, @ForAll("richGlobs") String b) {
        assertEquals(Glob.compile(a).overlaps(Glob.compile(b)), Glob.compile(b).overlaps(Glob.compile(a)));
    }

    @Property
    void everyGlobOverlapsItself(@ForAll("richGlobs") String a) {
        assertTrue(Glob.compile(a).overlaps(Glob.compile(a)));
    }

    @Property(tries = 2000)
    void matchingAPathIsOverlappingItsLiteralGlob(@ForAll("smallGlobs") String pattern, @ForAll("universePaths") String path) {
        Glob g = Glob.compile(pattern);
        assertEquals(g.matches(path), g.overlaps(Glob.compile(path)));
    }

    @Property
    void overlapsAgreesWithWitnessSearch(@ForAll("richGlobs") String a, @ForAll("richGlobs") String b) {
        Glob ga = Glob.compile(a);
        Glob gb = Glob.compile(b);
        Reachability.Result r = Reachability.search(List.of(ga, gb), List.of(), Integer.MAX_VALUE);
        assertEquals(ga.overlaps(gb), r.status() == Reachability.Status.FOUND);
        if (r.status() == Reachability.Status.FOUND) {
            assertTrue(ga.matches(r.witness()) && gb.matches(r.witness()), r.witness());
        }
    }

    @Property(tries = 1500)
    void witnessSearchHonoursExclusions(@ForAll("smallGlobs") String a, @ForAll("smallGlobs") String b,
                                        @ForAll("smallGlobs") String excluded) {
        Glob ga = Glob.compile(a);
        Glob gb = Glob.compile(b);
        Glob gx = Glob.compile(excluded);
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
    }
}
