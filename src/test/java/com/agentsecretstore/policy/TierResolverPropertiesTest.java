package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** forScope against brute force: the strictest forPath/forSecret over the paths the scope matches. */
class TierResolverPropertiesTest {

    /**
     * "ns/" plus 1–3 one-letter segments over a, b, c. For patterns made of whole-segment tokens
     * (a, b, *, **) with at most two segments after the namespace this is enough: membership of a
     * longer path depends only on its first and last segment, and 'c' stands for "any other
     * name", so every path the resolver can reason about has a representative in here.
     */
    private static final List<String> UNIVERSE = universe("abc", 3);

    private static List<String> universe(String letters, int depth) {
        List<String> paths = new ArrayList<>();
        List<String> previous = List.of("ns");
        for (int d = 1; d <= depth; d++) {
            List<String> next = new ArrayList<>();
            for (String p : previous) {
                for (char c : letters.toCharArray()) {
                    next.add(p + "/" + c);
                }
            }
            paths.addAll(next);
            previous = next;
        }
        return paths;
    }

    // ---- generators ----

    private static Arbitrary<String> nsGlob(Arbitrary<String> segment) {
        return segment.list().ofMinSize(1).ofMaxSize(2).map(l -> "ns/" + String.join("/", l));
    }

    private static Arbitrary<String> wholeSegmentGlobs() {
        return nsGlob(Arbitraries.of("a", "b", "*", "**"));
    }

    private static Arbitrary<String> richGlobs() {
        Arbitrary<String> fixed = Arbitraries.of("a", "b", "*", "?").list().ofMinSize(1).ofMaxSize(3)
            .map(l -> String.join("", l)).filter(s -> !s.contains("**"));
        return nsGlob(Arbitraries.frequencyOf(
            Tuple.of(4, fixed), Tuple.of(1, Arbitraries.just("**"))));
    }

    private static Arbitrary<PathOverride> override(Arbitrary<String> patterns) {
        Arbitrary<Tier> tiers = Arbitraries.of(Tier.class);
        Arbitrary<Integer> extra = Arbitraries.integers().between(0, 2);
        Arbitrary<Boolean> explicit = Arbitraries.of(true, false);
        Arbitrary<Integer> delays = Arbitraries.of(0, 60, 300, 900);
        return Combinators.combine(patterns, tiers, extra, explicit, delays).as((p, t, e, x, d) -> x
            ? new PathOverride(p, t, t == Tier.STANDARD ? 0 : Requirement.defaultApprovals(t) + e, t == Tier.CRITICAL ? d : null)
            : new PathOverride(p, t, null, null));
    }

    private static Arbitrary<TierResolver> resolvers(Arbitrary<String> patterns) {
        return Combinators.combine(Arbitraries.of(Tier.class), override(patterns).list().ofMaxSize(4))
            .as((t, o) -> new NamespacePolicy("ns", t, o, null, null))
            .filter(p -> p.validate().isEmpty())
            .map(TierResolver::new);
    }

    @Provide
    Arbitrary<TierResolver> simpleResolvers() {
        return resolvers(wholeSegmentGlobs());
    }

    @Provide
    Arbitrary<TierResolver> richResolvers() {
        return resolvers(richGlobs());
    }

    @Provide
    Arbitrary<String> simpleScopes() {
        return wholeSegmentGlobs();
    }

    @Provide
    Arbitrary<String> richScopes() {
        return richGlobs();
    }

    @Provide
    Arbitrary<List<SecretRef>> secrets() {
        return Combinators.combine(Arbitraries.of(UNIVERSE), Arbitraries.of(Tier.class)).as(SecretRef::new)
            .list().ofMaxSize(3).uniqueElements(SecretRef::path);
    }

    @Provide
    Arbitrary<String> universePaths() {
        return Arbitraries.of(UNIVERSE);
    }

    // ---- oracle ----

    /** The strictest tier among everything, then the largest numbers among those at that tier. */
    private static int[] strictest(List<Requirement> all) {
        if (all.isEmpty()) {
            return new int[] {Tier.STANDARD.ordinal(), 0, 0};
        }
        Requirement r = Requirement.strictestOf(all);
        return new int[] {r.tier().ordinal(), r.requiredApprovals(), r.approvalDelaySeconds()};
    }

    private static int[] numbers(Requirement r) {
        return new int[] {r.tier().ordinal(), r.requiredApprovals(), r.approvalDelaySeconds()};
    }

    // ---- properties ----

    @Property(tries = 1500)
    void forScopeIsTheStrictestOfWhatItsPathsAndSecretsRequire(@ForAll("simpleResolvers") TierResolver resolver,
                                                                @ForAll("simpleScopes") String scope,
                                                                @ForAll("secrets") List<SecretRef> secrets) {
        Glob g = Glob.compile(scope);
        List<Requirement> reachable = new ArrayList<>();
        for (String p : UNIVERSE) {
            if (g.matches(p)) {
                reachable.add(resolver.forPath(p));
            }
        }
        for (SecretRef s : secrets) {
            if (g.matches(s.path())) {
                reachable.add(resolver.forSecret(s));
            }
        }
        Requirement actual = resolver.forScope(g, secrets);
        assertEquals(Arrays.toString(strictest(reachable)), Arrays.toString(numbers(actual)),
            actual.reason());
    }

    @Property(tries = 1500)
    void forScopeIsNeverLaxerThanAnyPathItMatches(@ForAll("richResolvers") TierResolver resolver,
                                                  @ForAll("richScopes") String scope) {
        Glob g = Glob.compile(scope);
        Requirement actual = resolver.forScope(g, List.of());
        for (String p : universe("ab", 3)) {
            if (g.matches(p)) {
                Requirement byPath = resolver.forPath(p);
                assertTrue(actual.tier().atLeast(byPath.tier()), p + ": " + actual.reason());
                if (actual.tier() == byPath.tier()) {
                    assertTrue(actual.requiredApprovals() >= byPath.requiredApprovals(), p + ": " + actual.reason());
                    assertTrue(actual.approvalDelaySeconds() >= byPath.approvalDelaySeconds(), p + ": " + actual.reason());
                }
            }
        }
    }

    @Property
    void literalScopeRequiresExactlyWhatItsPathRequires(@ForAll("richResolvers") TierResolver resolver,
                                                        @ForAll("universePaths") String path) {
        assertEquals(Arrays.toString(numbers(resolver.forPath(path))),
            Arrays.toString(numbers(resolver.forScope(Glob.compile(path), List.of()))));
    }
}
