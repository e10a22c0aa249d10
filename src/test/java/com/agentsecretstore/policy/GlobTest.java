package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GlobTest {

    private static boolean matches(String pattern, String path) {
        return Glob.compile(pattern).matches(path);
    }

    private static boolean overlaps(String a, String b) {
        return Glob.compile(a).overlaps(Glob.compile(b));
    }

    // ---- compile ----

    @Test
    void nullPatternIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "a//b", "/"})
    void patternWithEmptySegmentIsRejected(String pattern) {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile(pattern));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/***", "a/**b", "a/b**", "a/x**y", "****"})
    void doubleStarThatIsNotAWholeSegmentIsRejected(String pattern) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Glob.compile(pattern));
        assertTrue(e.getMessage().contains("whole segment"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/./b", "a/../b", "..", "."})
    void dotSegmentsAreRejected(String pattern) {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile(pattern));
    }

    @Test
    void patternLongerThanMaximumIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("a".repeat(Glob.MAX_LENGTH + 1)));
    }

    @Test
    void patternOfMaximumLengthCompiles() {
        assertTrue(Glob.compile("a".repeat(Glob.MAX_LENGTH)).isLiteral());
    }

    @Test
    void patternReturnsTheSourceText() {
        assertEquals("production/stripe/*", Glob.compile("production/stripe/*").pattern());
    }

    @Test
    void globsWithTheSamePatternAreEqual() {
        assertEquals(Glob.compile("a/*"), Glob.compile("a/*"));
        assertEquals(Glob.compile("a/*").hashCode(), Glob.compile("a/*").hashCode());
        assertNotEquals(Glob.compile("a/*"), Glob.compile("a/?"));
    }

    // ---- literals ----

    @Test
    void literalPatternMatchesItself() {
        assertTrue(matches("production/stripe/api-key", "production/stripe/api-key"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"production/stripe", "production/stripe/api-key/v2", "production/stripe/api-ke",
        "production/stripe/api-keys", "Production/stripe/api-key", "staging/stripe/api-key"})
    void literalPatternMatchesNothingElse(String path) {
        assertFalse(matches("production/stripe/api-key", path));
    }

    @Test
    void dotIsLiteral() {
        assertTrue(matches("a/b.c", "a/b.c"));
        assertFalse(matches("a/b.c", "a/bxc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a+b", "(x)", "[ab]", "x{1,2}", "^x$", "a|b", "\\d", "\\Q*\\E", "$1"})
    void regexMetacharactersAreLiteral(String segment) {
        assertTrue(matches("ns/" + segment, "ns/" + segment));
    }

    @Test
    void plusDoesNotRepeat() {
        assertFalse(matches("ns/a+b", "ns/aab"));
    }

    @Test
    void bracketsAreNotACharacterClass() {
        assertFalse(matches("ns/[ab]", "ns/a"));
    }

    @Test
    void bracesAreNotAlternation() {
        assertFalse(matches("ns/{a,b}", "ns/a"));
    }

    @Test
    void pipeIsNotAlternation() {
        assertFalse(matches("ns/a|b", "ns/a"));
    }

    @Test
    void backslashDoesNotEscapeAWildcard() {
        assertTrue(matches("ns/\\*", "ns/\\anything"));
        assertFalse(matches("ns/\\*", "ns/*"));
    }

    // ---- ? ----

    @Test
    void questionMarkMatchesExactlyOneCharacter() {
        assertTrue(matches("ns/ke?", "ns/key"));
        assertFalse(matches("ns/ke?", "ns/ke"));
        assertFalse(matches("ns/ke?", "ns/keys"));
    }

    @Test
    void questionMarkDoesNotMatchSeparator() {
        assertFalse(matches("ns/a?b", "ns/a/b"));
    }

    // ---- * ----

    @Test
    void starMatchesAnyRunWithinASegment() {
        assertTrue(matches("production/stripe/*", "production/stripe/api-key"));
        assertTrue(matches("ns/api-*", "ns/api-key"));
        assertTrue(matches("ns/*-key", "ns/api-key"));
        assertTrue(matches("ns/a*b*c", "ns/aXXbYYc"));
    }

    @Test
    void starMatchesAnEmptyRun() {
        assertTrue(matches("ns/api-*", "ns/api-"));
        assertTrue(matches("ns/a*b", "ns/ab"));
    }

    @Test
    void starDoesNotCrossSegments() {
        assertFalse(matches("production/stripe/*", "production/stripe/live/api-key"));
        assertFalse(matches("ns/a*", "ns/a/b"));
    }

    @Test
    void starSegmentNeedsASegment() {
        assertFalse(matches("production/stripe/*", "production/stripe"));
    }

    // ---- ** ----

    @Test
    void trailingDoubleStarMatchesEverythingBelow() {
        assertTrue(matches("a/**", "a/b"));
        assertTrue(matches("a/**", "a/b/c"));
        assertTrue(matches("a/**", "a/b/c/d/e"));
    }

    @Test
    void trailingDoubleStarDoesNotMatchItsParent() {
        assertFalse(matches("a/**", "a"));
    }

    @Test
    void trailingDoubleStarRespectsSegmentBoundary() {
        assertFalse(matches("a/**", "ab/c"));
    }

    @Test
    void middleDoubleStarMatchesZeroSegments() {
        assertTrue(matches("a/**/c", "a/c"));
    }

    @Test
    void middleDoubleStarMatchesManySegments() {
        assertTrue(matches("a/**/c", "a/b/c"));
        assertTrue(matches("a/**/c", "a/b/d/c"));
    }

    @Test
    void middleDoubleStarKeepsTheSegmentsAroundIt() {
        assertFalse(matches("a/**/c", "a/b/cd"));
        assertFalse(matches("a/**/c", "ab/c"));
        assertFalse(matches("a/**/c", "a/c/d"));
    }

    @Test
    void leadingDoubleStarMatchesZeroOrMoreSegments() {
        assertTrue(matches("**/key", "key"));
        assertTrue(matches("**/key", "x/key"));
        assertTrue(matches("**/key", "x/y/key"));
        assertFalse(matches("**/key", "xkey"));
    }

    @Test
    void doubleStarAloneMatchesEveryPath() {
        assertTrue(matches("**", "a"));
        assertTrue(matches("**", "a/b/c"));
    }

    @Test
    void consecutiveDoubleStarsActLikeOne() {
        assertTrue(matches("a/**/**/c", "a/c"));
        assertTrue(matches("a/**/**/c", "a/x/y/z/c"));
        assertFalse(matches("a/**/**", "a"));
    }

    @Test
    void doubleStarCombinesWithSegmentWildcards() {
        assertTrue(matches("production/**/*-key", "production/stripe/live/api-key"));
        assertFalse(matches("production/**/*-key", "production/stripe/live/api-token"));
    }

    // ---- malformed paths ----

    @ParameterizedTest
    @ValueSource(strings = {"", "/a/b", "a/b/", "a//b", "/"})
    void pathsWithEmptySegmentsNeverMatch(String path) {
        assertFalse(matches("**", path));
        assertFalse(matches("a/**/b", path));
    }

    @Test
    void nullPathNeverMatches() {
        assertFalse(Glob.compile("**").matches(null));
    }

    // ---- literalPrefix ----

    @Test
    void literalPrefixStopsAtTheFirstWildcard() {
        assertEquals("production/stripe/", Glob.compile("production/stripe/*").literalPrefix());
        assertEquals("production/st", Glob.compile("production/st?ipe/**").literalPrefix());
        assertEquals("production/stripe/key", Glob.compile("production/stripe/key").literalPrefix());
    }

    // ---- literalCount / isLiteral ----

    @Test
    void literalCountCountsEveryNonWildcardCharacterIncludingSeparators() {
        assertEquals(18, Glob.compile("production/stripe/*").literalCount());
        assertEquals(19, Glob.compile("production/*/api-key").literalCount());
        assertEquals(4, Glob.compile("a/**/b").literalCount());
        assertEquals(0, Glob.compile("**").literalCount());
        assertEquals(2, Glob.compile("a/?*").literalCount());
    }

    @Test
    void isLiteralOnlyWithoutWildcards() {
        assertTrue(Glob.compile("a/b.c").isLiteral());
        assertFalse(Glob.compile("a/b?").isLiteral());
        assertFalse(Glob.compile("a/*").isLiteral());
        assertFalse(Glob.compile("a/**").isLiteral());
    }

    // ---- overlaps ----

    @Test
    void patternsSharingAPathOverlap() {
        assertTrue(overlaps("production/stripe/*", "production/*/api-key"));
    }

    @Test
    void starAndDeeperLiteralDoNotOverlap() {
        assertFalse(overlaps("a/*", "a/b/c"));
    }

    @Test
    void trailingDoubleStarDoesNotOverlapItsParent() {
        assertFalse(overlaps("a/**", "a"));
    }

    @Test
    void doubleStarAloneOverlapsEveryPattern() {
        assertTrue(overlaps("**", "x/y?/*z"));
    }

    @Test
    void prefixAndSuffixWildcardsOverlap() {
        assertTrue(overlaps("ns/a*", "ns/*b"));
    }

    @Test
    void differentLiteralPrefixesDoNotOverlap() {
        assertFalse(overlaps("ns/x*", "ns/y*"));
    }

    @Test
    void questionMarkDoesNotOverlapLongerLiteral() {
        assertFalse(overlaps("a/?", "a/bc"));
    }

    @Test
    void doubleStarsOnBothSidesOverlap() {
        assertTrue(overlaps("a/**/z", "a/b/**"));
    }

    @Test
    void overlapWitnessHasNoEmptySegments() {
        Glob a = Glob.compile("ns/*/*");
        Glob b = Glob.compile("ns/**");
        Reachability.Result r = Reachability.search(List.of(a, b), List.of(), 1000);
        assertEquals(Reachability.Status.FOUND, r.status());
        assertFalse(r.witness().contains("//") || r.witness().endsWith("/"), r.witness());
    }

    @Test
    void overlapIsSymmetric() {
        assertEquals(overlaps("ns/a*/**", "ns/*b/c"), overlaps("ns/*b/c", "ns/a*/**"));
    }

    @Test
    void overlapWitnessMatchesBothGlobs() {
        Glob a = Glob.compile("production/**/key-?");
        Glob b = Glob.compile("production/s*/*/*-1");
        Reachability.Result r = Reachability.search(List.of(a, b), List.of(), 1000);
        assertEquals(Reachability.Status.FOUND, r.status());
        assertTrue(a.matches(r.witness()) && b.matches(r.witness()), r.witness());
    }

    // ---- no catastrophic backtracking ----
    // Backtracking through these would take longer than the universe's age; a sound matcher takes
    // milliseconds. The limit sits far between the two, so that a busy machine does not fail it.
    static final Duration QUICKLY = Duration.ofSeconds(30);

    @Test
    void manyStarsMatchLongInputQuickly() {
        Glob g = Glob.compile("*a".repeat(200) + "*b");
        String path = "a".repeat(4000);
        assertTimeoutPreemptively(QUICKLY, () -> assertFalse(g.matches(path)));
    }

    @Test
    void manyDoubleStarsMatchDeepPathQuickly() {
        Glob g = Glob.compile("**/a/".repeat(100) + "b");
        String path = "a/".repeat(1500) + "c";
        assertTimeoutPreemptively(QUICKLY, () -> assertFalse(g.matches(path)));
    }

    @Test
    void longStarPatternsOverlapQuickly() {
        Glob a = Glob.compile("*a".repeat(500) + "*b");
        Glob b = Glob.compile("*a".repeat(499) + "*c");
        assertTimeoutPreemptively(QUICKLY, () -> assertFalse(a.overlaps(b)));
    }
}
