package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Issue 11.8: pattern complexity is refused at write, and evaluation of anything stored is bounded. */
class PolicyComplexityTest {

    /** The reported pattern: {@code adv/} + 300 × {@code **}/ + {@code *?x000*}. */
    static String adversarial(int variant) {
        return "adv/" + "**/".repeat(300) + "*?x" + String.format("%03d", variant) + "*";
    }

    static NamespacePolicy adversarialPolicy(int overrides) {
        List<PathOverride> list = new ArrayList<>();
        for (int i = 0; i < overrides; i++) {
            list.add(new PathOverride(adversarial(i), Tier.CRITICAL, null, null));
        }
        return new NamespacePolicy("adv", Tier.STANDARD, list, null, null);
    }

    private static final PolicyLimits LIMITS = new PolicyLimits(256, 4, 16, 100);

    @Test
    void theReportedPatternIsRefusedByTheWriteLimits() {
        List<PolicyViolation> violations = LIMITS.check(adversarialPolicy(1));
        assertTrue(violations.stream().anyMatch(v -> v.field().equals("path_overrides[0].pattern")
                && v.message().contains("'**'")), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.message().contains("256 characters")), violations.toString());
    }

    @Test
    void ordinaryPatternsPassTheWriteLimits() {
        NamespacePolicy ok = new NamespacePolicy("prod", Tier.STANDARD, List.of(
                new PathOverride("prod/**/stripe/*", Tier.CRITICAL, null, null),
                new PathOverride("prod/?ey-*", Tier.SENSITIVE, null, null)), null, null);
        assertEquals(List.of(), LIMITS.check(ok));
    }

    @Test
    void tooManyWildcardsAreRefused() {
        NamespacePolicy busy = new NamespacePolicy("prod", Tier.STANDARD, List.of(
                new PathOverride("prod/" + "*?".repeat(9), Tier.CRITICAL, null, null)), null, null);
        assertEquals(List.of(new PolicyViolation("path_overrides[0].pattern",
                "must have at most 16 wildcards ('*', '?'; '**' counts once)")), LIMITS.check(busy));
    }

    @Test
    void aStoredAdversarialPolicyEvaluatesQuicklyToTheStrictestAnswer() {
        // Built like a policy read from the database: the write limits never saw it.
        Requirement r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            TierResolver resolver = new TierResolver(adversarialPolicy(100));
            return resolver.forScope(Glob.compile("adv/**"), List.of(new SecretRef("adv/a/b", Tier.STANDARD)));
        });
        assertEquals(Tier.CRITICAL, r.tier(), r.reason());
    }

    @Test
    void aStoredAdversarialPolicyAnswersAPathQuickly() {
        Requirement r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> new TierResolver(adversarialPolicy(100)).forPath("adv/a/bb/cx007d"));
        assertEquals(Tier.CRITICAL, r.tier(), r.reason());
    }

    @Test
    void anExhaustedBudgetAnswersWithThePolicysStrictestRequirementNeverAWeakerOne() {
        NamespacePolicy policy = new NamespacePolicy("production", Tier.STANDARD, List.of(
                new PathOverride("production/billing/*", Tier.CRITICAL, 3, 600)), null, null);
        Glob web = Glob.compile("production/web/*");
        assertEquals(Tier.STANDARD, new TierResolver(policy).forScope(web, List.of()).tier());
        Requirement starved = new TierResolver(policy, 1).forScope(web, List.of());
        assertEquals(Tier.CRITICAL, starved.tier(), starved.reason());
        assertEquals(3, starved.requiredApprovals());
        assertEquals(600, starved.approvalDelaySeconds());
        assertTrue(starved.reason().contains("too complex"), starved.reason());
        assertEquals(Tier.CRITICAL, new TierResolver(policy, 1).forPath("production/web/x").tier());
    }

    @Test
    void theBudgetBoundsGlobMatchingItself() {
        Glob g = Glob.compile(adversarial(0));
        EvaluationBudget tiny = new EvaluationBudget(100);
        org.junit.jupiter.api.Assertions.assertThrows(EvaluationBudget.Exhausted.class,
                () -> g.matches("adv/" + "a/".repeat(100) + "bx000", tiny));
    }
}
