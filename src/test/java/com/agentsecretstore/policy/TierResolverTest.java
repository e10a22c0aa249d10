package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TierResolverTest {

    private static TierResolver resolver(Tier defaultTier, PathOverride... overrides) {
        return new TierResolver(new NamespacePolicy("production", defaultTier, Arrays.asList(overrides), null, null));
    }

    private static PathOverride override(String pattern, Tier tier) {
        return new PathOverride(pattern, tier, null, null);
    }

    private static Requirement scope(TierResolver resolver, String scope, SecretRef... secrets) {
        return resolver.forScope(Glob.compile(scope), Arrays.asList(secrets));
    }

    private static void assertRequirement(Tier tier, int approvals, int delay, Requirement actual) {
        assertEquals(tier, actual.tier(), actual.reason());
        assertEquals(approvals, actual.requiredApprovals(), actual.reason());
        assertEquals(delay, actual.approvalDelaySeconds(), actual.reason());
    }

    @Test
    void invalidPolicyIsRefused() {
        NamespacePolicy invalid = new NamespacePolicy("production", null, List.of(), null, null);
        assertThrows(InvalidPolicyException.class, () -> new TierResolver(invalid));
    }

    // ---- forPath ----

    @Test
    void pathWithoutMatchingOverrideGetsTheDefaultTier() {
        Requirement r = resolver(Tier.STANDARD, override("production/stripe/*", Tier.CRITICAL)).forPath("production/flags/beta");
        assertRequirement(Tier.STANDARD, 0, 0, r);
        assertNull(r.matchedPattern());
        assertTrue(r.autoApproved());
    }

    @Test
    void criticalDefaultTierNeedsTwoApprovalsAndTheDefaultDelay() {
        assertRequirement(Tier.CRITICAL, 2, 300, resolver(Tier.CRITICAL).forPath("production/db/password"));
    }

    @Test
    void sensitiveDefaultTierNeedsOneApproval() {
        assertRequirement(Tier.SENSITIVE, 1, 0, resolver(Tier.SENSITIVE).forPath("production/db/password"));
    }

    @Test
    void matchingOverrideDecides() {
        Requirement r = resolver(Tier.STANDARD, new PathOverride("production/stripe/*", Tier.CRITICAL, 3, 600))
            .forPath("production/stripe/api-key");
        assertRequirement(Tier.CRITICAL, 3, 600, r);
        assertEquals("production/stripe/*", r.matchedPattern());
    }

    @Test
    void overrideWithoutNumbersUsesTheTierDefaults() {
        assertRequirement(Tier.CRITICAL, 2, 300,
            resolver(Tier.STANDARD, override("production/stripe/*", Tier.CRITICAL)).forPath("production/stripe/api-key"));
    }

    @Test
    void criticalOverrideMayWaiveTheDelay() {
        assertRequirement(Tier.CRITICAL, 2, 0,
            resolver(Tier.STANDARD, new PathOverride("production/stripe/*", Tier.CRITICAL, 2, 0)).forPath("production/stripe/api-key"));
    }

    @Test
    void mostLiteralCharactersWinsEvenWhenLessStrict() {
        TierResolver resolver = resolver(Tier.STANDARD,
            override("production/**", Tier.CRITICAL),
            override("production/dev/*", Tier.STANDARD));
        assertRequirement(Tier.STANDARD, 0, 0, resolver.forPath("production/dev/api-key"));
    }

    @Test
    void mostLiteralCharactersWinsWhenStricter() {
        TierResolver resolver = resolver(Tier.STANDARD,
            override("production/stripe/*", Tier.SENSITIVE),      // 18 literal characters
            override("production/*/api-key", Tier.CRITICAL));     // 19
        Requirement r = resolver.forPath("production/stripe/api-key");
        assertEquals(Tier.CRITICAL, r.tier());
        assertEquals("production/*/api-key", r.matchedPattern());
    }

    @Test
    void tieOnLiteralCharactersGoesToTheStricterTier() {
        PathOverride sensitive = override("production/s*/key", Tier.SENSITIVE); // 16 literal characters
        PathOverride critical = override("production/*e/key", Tier.CRITICAL);   // 16
        assertEquals(Tier.CRITICAL, resolver(Tier.STANDARD, sensitive, critical).forPath("production/stripe/key").tier());
        assertEquals(Tier.CRITICAL, resolver(Tier.STANDARD, critical, sensitive).forPath("production/stripe/key").tier());
    }

    @Test
    void tieOnLiteralCharactersAndTierGoesToMoreApprovals() {
        PathOverride one = new PathOverride("production/s*/key", Tier.SENSITIVE, 1, null);
        PathOverride three = new PathOverride("production/*e/key", Tier.SENSITIVE, 3, null);
        assertEquals(3, resolver(Tier.STANDARD, one, three).forPath("production/stripe/key").requiredApprovals());
        assertEquals(3, resolver(Tier.STANDARD, three, one).forPath("production/stripe/key").requiredApprovals());
    }

    @Test
    void reasonNamesTheWinningOverrideAndItsLiteralCount() {
        Requirement r = resolver(Tier.STANDARD, override("production/stripe/*", Tier.CRITICAL)).forPath("production/stripe/api-key");
        assertTrue(r.reason().contains("override \"production/stripe/*\" (18 literal characters) matched"), r.reason());
    }

    @Test
    void reasonExplainsATie() {
        Requirement r = resolver(Tier.STANDARD, override("production/s*/key", Tier.SENSITIVE), override("production/*e/key", Tier.CRITICAL))
            .forPath("production/stripe/key");
        assertTrue(r.reason().contains("tied with \"production/s*/key\""), r.reason());
    }

    @Test
    void reasonNamesTheDefaultWhenNothingMatched() {
        Requirement r = resolver(Tier.SENSITIVE).forPath("production/db/password");
        assertTrue(r.reason().contains("default tier sensitive"), r.reason());
    }

    @Test
    void pathOutsideTheNamespaceIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> resolver(Tier.STANDARD).forPath("staging/db/password"));
        assertThrows(IllegalArgumentException.class, () -> resolver(Tier.STANDARD).forPath("production"));
    }

    // ---- forSecret ----

    @Test
    void secretsOwnStricterTierWinsWithItsDefaults() {
        Requirement r = resolver(Tier.STANDARD).forSecret(new SecretRef("production/db/password", Tier.CRITICAL));
        assertRequirement(Tier.CRITICAL, 2, 300, r);
        assertTrue(r.reason().contains("stored as critical"), r.reason());
    }

    @Test
    void policysStricterTierWinsOverSecretsOwn() {
        TierResolver resolver = resolver(Tier.STANDARD, new PathOverride("production/db/*", Tier.CRITICAL, 4, 60));
        assertRequirement(Tier.CRITICAL, 4, 60, resolver.forSecret(new SecretRef("production/db/password", Tier.SENSITIVE)));
    }

    @Test
    void equalTiersKeepThePolicysNumbers() {
        TierResolver resolver = resolver(Tier.STANDARD, new PathOverride("production/db/*", Tier.CRITICAL, 4, 0));
        assertRequirement(Tier.CRITICAL, 4, 0, resolver.forSecret(new SecretRef("production/db/password", Tier.CRITICAL)));
    }

    @Test
    void secretWithoutOwnTierFollowsThePolicy() {
        assertRequirement(Tier.SENSITIVE, 1, 0, resolver(Tier.SENSITIVE).forSecret(new SecretRef("production/db/password", null)));
    }

    // ---- forScope ----

    @Test
    void scopeMatchingACriticalSecretIsCritical() {
        Requirement r = scope(resolver(Tier.STANDARD), "production/db/*", new SecretRef("production/db/password", Tier.CRITICAL));
        assertRequirement(Tier.CRITICAL, 2, 300, r);
        assertTrue(r.reason().contains("secret \"production/db/password\""), r.reason());
    }

    @Test
    void secretsTheScopeDoesNotMatchDoNotCount() {
        Requirement r = scope(resolver(Tier.STANDARD), "production/flags/*", new SecretRef("production/db/password", Tier.CRITICAL));
        assertRequirement(Tier.STANDARD, 0, 0, r);
    }

    @Test
    void scopeOverlappingAnOverrideTakesItsTierWithoutAnySecret() {
        // Secrets written later under production/stripe/ would be readable with the token.
        Requirement r = scope(resolver(Tier.STANDARD, override("production/stripe/*", Tier.CRITICAL)), "production/*/api-key");
        assertRequirement(Tier.CRITICAL, 2, 300, r);
        assertEquals("production/stripe/*", r.matchedPattern());
    }

    @Test
    void scopeDisjointFromAnOverrideGetsTheDefault() {
        Requirement r = scope(resolver(Tier.SENSITIVE, override("production/stripe/*", Tier.CRITICAL)), "production/openai/*");
        assertRequirement(Tier.SENSITIVE, 1, 0, r);
    }

    @Test
    void overrideOutrankedEverywhereOnTheScopeDoesNotCount() {
        TierResolver resolver = resolver(Tier.STANDARD,
            override("production/**", Tier.CRITICAL),
            override("production/dev/*", Tier.STANDARD));
        assertRequirement(Tier.STANDARD, 0, 0, scope(resolver, "production/dev/*"));
    }

    @Test
    void overrideOutrankedOnlyOnPartOfTheScopeCounts() {
        TierResolver resolver = resolver(Tier.STANDARD,
            override("production/**", Tier.CRITICAL),
            override("production/dev/*", Tier.STANDARD));
        // production/dev/x/y is deeper than production/dev/*, so production/** governs it.
        assertRequirement(Tier.CRITICAL, 2, 300, scope(resolver, "production/dev/**"));
    }

    @Test
    void relaxingOverrideIsRespectedUnderAStricterDefault() {
        TierResolver resolver = resolver(Tier.CRITICAL, override("production/dev/**", Tier.STANDARD));
        assertRequirement(Tier.STANDARD, 0, 0, scope(resolver, "production/dev/*"));
    }

    @Test
    void defaultCountsWhereNoOverrideCovers() {
        TierResolver resolver = resolver(Tier.CRITICAL, override("production/dev/**", Tier.STANDARD));
        assertRequirement(Tier.CRITICAL, 2, 300, scope(resolver, "production/*"));
    }

    @Test
    void literalScopeRequiresWhatItsPathRequires() {
        TierResolver resolver = resolver(Tier.CRITICAL,
            override("production/**", Tier.SENSITIVE),
            new PathOverride("production/dev/*", Tier.STANDARD, null, null));
        Requirement byPath = resolver.forPath("production/dev/key");
        Requirement byScope = scope(resolver, "production/dev/key");
        assertRequirement(byPath.tier(), byPath.requiredApprovals(), byPath.approvalDelaySeconds(), byScope);
        assertEquals(Tier.STANDARD, byScope.tier());
    }

    @Test
    void sourcesAtTheStrictestTierCombineToTheMostDemandingNumbers() {
        TierResolver resolver = resolver(Tier.STANDARD, new PathOverride("production/stripe/*", Tier.CRITICAL, 3, 0));
        Requirement r = scope(resolver, "production/**", new SecretRef("production/db/password", Tier.CRITICAL));
        assertRequirement(Tier.CRITICAL, 3, 300, r);
    }

    @Test
    void lessStrictSourcesDoNotAddApprovals() {
        TierResolver resolver = resolver(Tier.STANDARD,
            new PathOverride("production/openai/*", Tier.SENSITIVE, 5, null),
            new PathOverride("production/stripe/*", Tier.CRITICAL, 2, 300));
        assertRequirement(Tier.CRITICAL, 2, 300, scope(resolver, "production/**"));
    }

    @Test
    void scopeReachingNothingInTheNamespaceRequiresNothing() {
        Requirement r = scope(resolver(Tier.CRITICAL), "staging/**");
        assertRequirement(Tier.STANDARD, 0, 0, r);
        assertTrue(r.reason().contains("reaches no path"), r.reason());
    }

    @Test
    void scopeSpanningNamespacesGetsThisNamespacesShare() {
        assertRequirement(Tier.CRITICAL, 2, 300, scope(resolver(Tier.CRITICAL), "*/db/*"));
    }

    @Test
    void matchedSecretOutsideTheNamespaceIsRejected() {
        assertThrows(IllegalArgumentException.class,
            () -> scope(resolver(Tier.STANDARD), "*/db/*", new SecretRef("staging/db/password", Tier.STANDARD)));
    }

    @Test
    void reasonGivesAnExamplePathTheOverrideGoverns() {
        Requirement r = scope(resolver(Tier.STANDARD, override("production/stripe/*", Tier.CRITICAL)), "production/**");
        assertTrue(r.reason().startsWith("scope \"production/**\" is critical, 2 approvals and a 300 s delay: "), r.reason());
        assertTrue(r.reason().contains("override \"production/stripe/*\" (18 literal characters) can apply (e.g. \"production/stripe/"),
            r.reason());
    }

    @Test
    void tooComplexToAnalyseCountsAsReachable() {
        // Ruling out production/** needs the subset automaton of the outranking pattern, which has
        // about 2^17 states; the search gives up and assumes the stricter override can apply.
        String hard = "production/*a" + "?".repeat(17);
        TierResolver resolver = resolver(Tier.STANDARD,
            override("production/**", Tier.CRITICAL),
            override(hard, Tier.STANDARD));
        Requirement r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> scope(resolver, hard)); // generous: a busy machine
        assertEquals(Tier.CRITICAL, r.tier());
        assertTrue(r.reason().contains("too complex"), r.reason());
    }
}
