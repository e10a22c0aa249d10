package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The SLA ladder of a policy and its overrides: which ladder a request gets, and what a valid one is. */
class SlaTest {

    private static final Sla POLICY = new Sla(60, 600, List.of("prn_lead"));

    private static NamespacePolicy policy(Sla top, PathOverride... overrides) {
        return new NamespacePolicy("prod", Tier.STANDARD, List.of(overrides), 3600, null, top);
    }

    private static List<String> fields(NamespacePolicy p) {
        return p.validate().stream().map(PolicyViolation::field).toList();
    }

    @Test
    void aRequestTheNamespaceDefaultDecidedGetsThePolicysLadder() {
        NamespacePolicy p = policy(POLICY, new PathOverride("prod/stripe/*", Tier.CRITICAL, 2, 0, new Sla(30, null, null)));
        assertEquals(POLICY, Sla.forRequest(p, null));
        assertEquals(POLICY, Sla.forRequest(p, "prod/unknown/*"));
    }

    @Test
    void anOverrideRefinesTheReminderAndInheritsTheEscalationAsAPair() {
        NamespacePolicy p = policy(POLICY, new PathOverride("prod/stripe/*", Tier.CRITICAL, 2, 0, new Sla(30, null, null)));
        assertEquals(new Sla(30, 600, List.of("prn_lead")), Sla.forRequest(p, "prod/stripe/*"));
    }

    @Test
    void anOverridesOwnEscalationReplacesThePolicysWhole() {
        NamespacePolicy p = policy(POLICY,
                new PathOverride("prod/stripe/*", Tier.CRITICAL, 2, 0, new Sla(null, 300, List.of("prn_cfo"))));
        assertEquals(new Sla(60, 300, List.of("prn_cfo")), Sla.forRequest(p, "prod/stripe/*"));
    }

    @Test
    void aPolicyWithoutLadderGivesNone() {
        NamespacePolicy p = new NamespacePolicy("prod", Tier.SENSITIVE, List.of(), null, null);
        assertEquals(Sla.NONE, Sla.forRequest(p, null));
        assertTrue(p.validate().isEmpty());
    }

    @Test
    void aValidLadderHasNoViolations() {
        assertTrue(policy(POLICY, new PathOverride("prod/a/*", Tier.SENSITIVE, 1, 0, new Sla(10, 20, List.of("prn_x"))))
                .validate().isEmpty());
    }

    @Test
    void everyStepComesBeforeTheDeadline() {
        assertEquals(List.of("remind_after_seconds", "escalate_after_seconds"),
                fields(policy(new Sla(3600, 7200, List.of("prn_lead")))));
        assertEquals(List.of("path_overrides[0].escalate_after_seconds"),
                fields(policy(Sla.NONE, new PathOverride("prod/a/*", Tier.SENSITIVE, 1, 0, new Sla(null, 4000, List.of("prn_x"))))));
    }

    @Test
    void stepsAreAtLeastOneSecond() {
        assertEquals(List.of("remind_after_seconds"), fields(policy(new Sla(0, null, null))));
    }

    @Test
    void theEscalationDelayAndItsApproversGoTogether() {
        assertEquals(List.of("escalation_approvers"), fields(policy(new Sla(null, 600, null))));
        assertEquals(List.of("escalate_after_seconds"), fields(policy(new Sla(null, null, List.of("prn_lead")))));
        assertEquals(List.of("escalation_approvers"), fields(policy(new Sla(null, 600, List.of()))));
    }

    @Test
    void escalationApproversAreCheckedLikeApprovers() {
        assertEquals(List.of("escalation_approvers[1]", "escalation_approvers[2]"),
                fields(policy(new Sla(null, 600, java.util.Arrays.asList("prn_a", "prn_a", " ")))));
    }

    @Test
    void theReminderComesBeforeTheEscalationAlsoWhenInherited() {
        assertEquals(List.of("remind_after_seconds"), fields(policy(new Sla(600, 600, List.of("prn_lead")))));
        assertEquals(List.of("path_overrides[0].remind_after_seconds"),
                fields(policy(POLICY, new PathOverride("prod/a/*", Tier.SENSITIVE, 1, 0, new Sla(900, null, null)))));
    }

    @Test
    void theLadderSurvivesTheStoredDocument() {
        var json = new com.fasterxml.jackson.databind.ObjectMapper()
                .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
        NamespacePolicy p = policy(POLICY, new PathOverride("prod/a/*", Tier.SENSITIVE, 1, 0, new Sla(10, 20, List.of("prn_x"))));
        NamespacePolicy back = PolicyDocuments.read(json, "prod", PolicyDocuments.write(json, p));
        assertEquals(POLICY, back.sla());
        assertEquals(new Sla(10, 20, List.of("prn_x")), back.pathOverrides().get(0).sla());
    }
}
