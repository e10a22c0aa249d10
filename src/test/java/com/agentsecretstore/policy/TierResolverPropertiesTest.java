package com.agentsecretstore.policy;

import static com.agentsecretstore.support.Gen.DEFAULT_TRIES;
import static com.agentsecretstore.support.Gen.forAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Gen;

/**
 * forScope against brute force: the strictest forPath/forSecret over the paths the scope matches. Each
 * property runs on many inputs from a fixed seed (see {@link Gen}).
 */
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

    private static String nsGlob(Gen gen, Supplier<String> segment) {
        return "ns/" + String.join("/", gen.list(1, 2, segment));
    }

    private static String wholeSegmentGlob(Gen gen) {
        return nsGlob(gen, () -> gen.oneOf("a", "b", "*", "**"));
    }

    private static String richGlob(Gen gen) {
        return nsGlob(gen, () -> gen.sometimes(5, () -> "**", () -> gen.filter(
            () -> String.join("", gen.list(1, 3, () -> gen.oneOf("a", "b", "*", "?"))), s -> !s.contains("**"))));
    }

    private static PathOverride override(Gen gen, Supplier<String> patterns) {
        String p = patterns.get();
        Tier t = gen.oneOf(Tier.values());
        int e = gen.between(0, 2);
        boolean explicit = gen.bool();
        int d = gen.oneOf(0, 60, 300, 900);
        return explicit
            ? new PathOverride(p, t, t == Tier.STANDARD ? 0 : Requirement.defaultApprovals(t) + e, t == Tier.CRITICAL ? d : null)
            : new PathOverride(p, t, null, null);
    }

    /** A valid policy for namespace "ns" (the resolver's input; printed when a property fails). */
    private static NamespacePolicy policy(Gen gen, Supplier<String> patterns) {
        return gen.filter(
            () -> new NamespacePolicy("ns", gen.oneOf(Tier.values()), gen.list(0, 4, () -> override(gen, patterns)), null, null),
            p -> p.validate().isEmpty());
    }

    private static NamespacePolicy simplePolicy(Gen gen) {
        return policy(gen, () -> wholeSegmentGlob(gen));
    }

    private static NamespacePolicy richPolicy(Gen gen) {
        return policy(gen, () -> richGlob(gen));
    }

    private static List<SecretRef> secrets(Gen gen) {
        return gen.uniqueList(0, 3, () -> new SecretRef(gen.oneOf(UNIVERSE), gen.oneOf(Tier.values())), SecretRef::path);
    }

    private record PolicyScopeSecrets(NamespacePolicy policy, String scope, List<SecretRef> secrets) {
    }

    private record PolicyAndPath(NamespacePolicy policy, String path) {
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

    // ---- properties (each with its own fixed seed; see Gen) ----

    @Test
    void forScopeIsTheStrictestOfWhatItsPathsAndSecretsRequire() {
        forAll(201, 1500, gen -> new PolicyScopeSecrets(simplePolicy(gen), wholeSegmentGlob(gen), secrets(gen)), in -> {
            TierResolver resolver = new TierResolver(in.policy());
            Glob g = Glob.compile(in.scope());
            List<Requirement> reachable = new ArrayList<>();
            for (String p : UNIVERSE) {
                if (g.matches(p)) {
                    reachable.add(resolver.forPath(p));
                }
            }
            for (SecretRef s : in.secrets()) {
                if (g.matches(s.path())) {
                    reachable.add(resolver.forSecret(s));
                }
            }
            Requirement actual = resolver.forScope(g, in.secrets());
            assertEquals(Arrays.toString(strictest(reachable)), Arrays.toString(numbers(actual)), actual.reason());
        });
    }

    @Test
    void forScopeIsNeverLaxerThanAnyPathItMatches() {
        forAll(202, 1500, gen -> new PolicyScopeSecrets(richPolicy(gen), richGlob(gen), List.of()), in -> {
            TierResolver resolver = new TierResolver(in.policy());
            Glob g = Glob.compile(in.scope());
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
        });
    }

    @Test
    void literalScopeRequiresExactlyWhatItsPathRequires() {
        forAll(203, DEFAULT_TRIES, gen -> new PolicyAndPath(richPolicy(gen), gen.oneOf(UNIVERSE)), in -> {
            TierResolver resolver = new TierResolver(in.policy());
            assertEquals(Arrays.toString(numbers(resolver.forPath(in.path()))),
                Arrays.toString(numbers(resolver.forScope(Glob.compile(in.path()), List.of()))));
        });
    }
}
