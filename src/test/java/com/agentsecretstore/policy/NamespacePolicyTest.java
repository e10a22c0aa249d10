package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespacePolicyTest {

    private static final PathOverride STRIPE = new PathOverride("production/stripe/*", Tier.CRITICAL, 2, 300);
    private static final PathOverride OPENAI = new PathOverride("production/openai/*", Tier.SENSITIVE, 1, null);

    /** The policy from the reference's "Configuring approval policies" example. */
    private static NamespacePolicy reference() {
        return new NamespacePolicy("production", Tier.STANDARD, List.of(STRIPE, OPENAI), null, null);
    }

    private static NamespacePolicy withOverrides(PathOverride... overrides) {
        return new NamespacePolicy("production", Tier.STANDARD, Arrays.asList(overrides), null, null);
    }

    private static List<String> fields(NamespacePolicy policy) {
        List<String> fields = new ArrayList<>();
        for (PolicyViolation v : policy.validate()) {
            fields.add(v.field());
        }
        return fields;
    }

    private static String onlyMessage(NamespacePolicy policy, String field) {
        List<PolicyViolation> violations = policy.validate();
        assertEquals(1, violations.size(), violations.toString());
        assertEquals(field, violations.get(0).field());
        return violations.get(0).message();
    }

    @Test
    void referenceExampleIsValid() {
        assertEquals(List.of(), reference().validate());
    }

    @Test
    void requireValidReturnsAValidPolicy() {
        NamespacePolicy policy = reference();
        assertSame(policy, policy.requireValid());
    }

    @Test
    void defaultPolicyIsStandardWithoutOverrides() {
        NamespacePolicy policy = NamespacePolicy.defaultFor("production");
        assertEquals(Tier.STANDARD, policy.defaultTier());
        assertEquals(List.of(), policy.pathOverrides());
        assertEquals(List.of(), policy.validate());
    }

    @Test
    void nullOverridesMeanNone() {
        assertEquals(List.of(), new NamespacePolicy("production", Tier.STANDARD, null, null, null).pathOverrides());
    }

    @Test
    void requestTtlDefaultsToThirtyMinutes() {
        assertEquals(1800, reference().effectiveRequestTtlSeconds());
    }

    @Test
    void overridesWithoutApprovalsAreValid() {
        assertEquals(List.of(), withOverrides(
            new PathOverride("production/a/*", Tier.SENSITIVE, null, null),
            new PathOverride("production/b/*", Tier.CRITICAL, null, null),
            new PathOverride("production/c/*", Tier.STANDARD, null, null)).validate());
    }

    // ---- namespace and default tier ----

    @Test
    void namespaceMustBeOneValidSegment() {
        NamespacePolicy policy = new NamespacePolicy("prod/eu", Tier.STANDARD, List.of(), null, null);
        assertEquals(List.of("namespace"), fields(policy));
    }

    @Test
    void dotDotIsNotANamespace() {
        assertEquals(List.of("namespace"), fields(new NamespacePolicy("..", Tier.STANDARD, List.of(), null, null)));
    }

    @Test
    void defaultTierIsRequired() {
        String message = onlyMessage(new NamespacePolicy("production", null, List.of(), null, null), "default_tier");
        assertTrue(message.contains("standard, sensitive, critical"), message);
    }

    // ---- approvals ----

    @Test
    void sensitiveNeedsAtLeastOneApproval() {
        String message = onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.SENSITIVE, 0, null)),
            "path_overrides[0].required_approvals");
        assertTrue(message.contains("at least 1"), message);
    }

    @Test
    void criticalNeedsAtLeastTwoApprovals() {
        String message = onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.CRITICAL, 1, 300)),
            "path_overrides[0].required_approvals");
        assertTrue(message.contains("at least 2"), message);
    }

    @Test
    void standardCannotRequireApprovals() {
        onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.STANDARD, 1, null)),
            "path_overrides[0].required_approvals");
    }

    @Test
    void negativeApprovalsAreRejected() {
        onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.STANDARD, -1, null)),
            "path_overrides[0].required_approvals");
    }

    @Test
    void approvalsAreCapped() {
        onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.CRITICAL, 11, null)),
            "path_overrides[0].required_approvals");
    }

    // ---- delay ----

    @Test
    void criticalDelayMustNotBeNegative() {
        onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.CRITICAL, 2, -1)),
            "path_overrides[0].approval_delay_seconds");
    }

    @Test
    void criticalDelayMayBeZero() {
        assertEquals(List.of(), withOverrides(new PathOverride("production/a/*", Tier.CRITICAL, 2, 0)).validate());
    }

    @Test
    void delayIsOnlyForCritical() {
        String message = onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.SENSITIVE, 1, 60)),
            "path_overrides[0].approval_delay_seconds");
        assertTrue(message.contains("only critical"), message);
    }

    @Test
    void delayIsCapped() {
        onlyMessage(withOverrides(new PathOverride("production/a/*", Tier.CRITICAL, 2, 86_401)),
            "path_overrides[0].approval_delay_seconds");
    }

    // ---- patterns ----

    @Test
    void patternIsRequired() {
        onlyMessage(withOverrides(new PathOverride(" ", Tier.SENSITIVE, null, null)), "path_overrides[0].pattern");
    }

    @Test
    void patternMustStayInsideTheNamespace() {
        String message = onlyMessage(withOverrides(new PathOverride("staging/stripe/*", Tier.CRITICAL, null, null)),
            "path_overrides[0].pattern");
        assertTrue(message.contains("\"production/\""), message);
    }

    @Test
    void patternMustNotStartWithAWildcard() {
        onlyMessage(withOverrides(new PathOverride("*/stripe/*", Tier.CRITICAL, null, null)), "path_overrides[0].pattern");
    }

    @Test
    void patternMustNotStartWithADoubleStar() {
        onlyMessage(withOverrides(new PathOverride("**/stripe", Tier.CRITICAL, null, null)), "path_overrides[0].pattern");
    }

    @Test
    void patternMustNotMerelyShareTheNamespacePrefix() {
        onlyMessage(withOverrides(new PathOverride("production-eu/*", Tier.CRITICAL, null, null)), "path_overrides[0].pattern");
    }

    @Test
    void patternMustNameSomethingBelowTheNamespace() {
        String message = onlyMessage(withOverrides(new PathOverride("production", Tier.CRITICAL, null, null)),
            "path_overrides[0].pattern");
        assertTrue(message.contains("production/**"), message);
    }

    @Test
    void malformedGlobIsReported() {
        String message = onlyMessage(withOverrides(new PathOverride("production/***", Tier.CRITICAL, null, null)),
            "path_overrides[0].pattern");
        assertTrue(message.startsWith("is not a valid glob"), message);
    }

    @Test
    void regexOrBraceSyntaxIsRejected() {
        onlyMessage(withOverrides(new PathOverride("production/{stripe,adyen}/*", Tier.CRITICAL, null, null)),
            "path_overrides[0].pattern");
    }

    @Test
    void patternThatNeedsMoreThanSixteenSegmentsIsRejected() {
        String pattern = "production" + "/*".repeat(16);
        onlyMessage(withOverrides(new PathOverride(pattern, Tier.CRITICAL, null, null)), "path_overrides[0].pattern");
    }

    @Test
    void duplicatePatternIsReportedOnTheLaterEntry() {
        String message = onlyMessage(withOverrides(STRIPE, OPENAI, new PathOverride("production/stripe/*", Tier.SENSITIVE, null, null)),
            "path_overrides[2].pattern");
        assertTrue(message.contains("path_overrides[0]"), message);
    }

    @Test
    void overrideTierIsRequired() {
        onlyMessage(withOverrides(new PathOverride("production/a/*", null, null, null)), "path_overrides[0].tier");
    }

    @Test
    void nullOverrideIsReported() {
        assertEquals(List.of("path_overrides[1]"), fields(withOverrides(STRIPE, null)));
    }

    @Test
    void tooManyOverridesAreRejected() {
        List<PathOverride> many = new ArrayList<>();
        for (int i = 0; i <= NamespacePolicy.MAX_PATH_OVERRIDES; i++) {
            many.add(new PathOverride("production/p" + i, Tier.SENSITIVE, null, null));
        }
        assertEquals(List.of("path_overrides"), fields(new NamespacePolicy("production", Tier.STANDARD, many, null, null)));
    }

    // ---- request TTL and approvers ----

    @Test
    void requestTtlMustBePositive() {
        assertEquals(List.of("request_ttl_seconds"), fields(new NamespacePolicy("production", Tier.STANDARD, List.of(), 0, null)));
    }

    @Test
    void requestTtlIsCapped() {
        assertEquals(List.of("request_ttl_seconds"),
            fields(new NamespacePolicy("production", Tier.STANDARD, List.of(), 7 * 24 * 3600 + 1, null)));
    }

    @Test
    void emptyApproverListIsRejected() {
        assertEquals(List.of("approvers"), fields(new NamespacePolicy("production", Tier.STANDARD, List.of(), null, List.of())));
    }

    @Test
    void blankAndDuplicateApproversAreReportedByIndex() {
        NamespacePolicy policy = new NamespacePolicy("production", Tier.STANDARD, List.of(), null,
            Arrays.asList("prn_01", " ", "group:payments", "prn_01", null));
        assertEquals(List.of("approvers[1]", "approvers[3]", "approvers[4]"), fields(policy));
    }

    @Test
    void overlongApproverIsRejected() {
        NamespacePolicy policy = new NamespacePolicy("production", Tier.STANDARD, List.of(), null,
            Collections.singletonList("x".repeat(257)));
        assertEquals(List.of("approvers[0]"), fields(policy));
    }

    // ---- reporting ----

    @Test
    void everyViolationIsReportedWithItsFieldPath() {
        NamespacePolicy policy = new NamespacePolicy("production", null, List.of(
            STRIPE,
            new PathOverride("staging/*", Tier.SENSITIVE, 0, null),
            new PathOverride("production/db/*", Tier.CRITICAL, 1, -5)), -1, List.of(""));
        assertEquals(List.of(
            "default_tier",
            "path_overrides[1].pattern",
            "path_overrides[1].required_approvals",
            "path_overrides[2].required_approvals",
            "path_overrides[2].approval_delay_seconds",
            "request_ttl_seconds",
            "approvers[0]"), fields(policy));
    }

    @Test
    void requireValidThrowsWithEveryViolation() {
        NamespacePolicy policy = withOverrides(
            new PathOverride("production/a/*", Tier.SENSITIVE, 0, null),
            new PathOverride("production/b/*", Tier.CRITICAL, 1, null));
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, policy::requireValid);
        assertEquals(policy.validate(), e.violations());
        assertEquals(2, e.violations().size());
    }
}
