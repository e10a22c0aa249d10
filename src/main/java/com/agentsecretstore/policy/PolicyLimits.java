package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * How complex a policy may be when it is written: the cost of evaluating overrides grows with their
 * length, their {@code **} segments and their wildcards, and with how many there are (issue 11.8:
 * {@code adv/} + 300 {@code **}/ + {@code *?x000*} held an event loop for minutes). Stored policies
 * are not re-checked; their evaluation is bounded by {@link EvaluationBudget} instead.
 */
public record PolicyLimits(int maxPatternLength, int maxGlobstars, int maxWildcards, int maxPathOverrides) {

    /** Violations of these limits, named like {@link NamespacePolicy#validate()} names its own. */
    public List<PolicyViolation> check(NamespacePolicy policy) {
        List<PolicyViolation> out = new ArrayList<>();
        List<PathOverride> overrides = policy.pathOverrides();
        if (overrides == null) {
            return out;
        }
        if (overrides.size() > maxPathOverrides) {
            out.add(new PolicyViolation("path_overrides", "must have at most " + maxPathOverrides + " entries"));
        }
        for (int i = 0; i < overrides.size(); i++) {
            PathOverride o = overrides.get(i);
            if (o == null || o.pattern() == null) {
                continue;
            }
            String field = "path_overrides[" + i + "].pattern";
            String pattern = o.pattern();
            if (pattern.length() > maxPatternLength) {
                out.add(new PolicyViolation(field, "must be at most " + maxPatternLength + " characters"));
            }
            int globstars = 0;
            int wildcards = 0;
            for (String segment : pattern.split("/", -1)) {
                if (segment.equals("**")) {
                    globstars++;
                    wildcards++;
                    continue;
                }
                for (int c = 0; c < segment.length(); c++) {
                    if (segment.charAt(c) == '*' || segment.charAt(c) == '?') {
                        wildcards++;
                    }
                }
            }
            if (globstars > maxGlobstars) {
                out.add(new PolicyViolation(field, "must have at most " + maxGlobstars + " '**' segments"));
            }
            if (wildcards > maxWildcards) {
                out.add(new PolicyViolation(field, "must have at most " + maxWildcards + " wildcards ('*', '?'; '**' counts once)"));
            }
        }
        return out;
    }
}
