package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A namespace's approval policy, shaped like the body of {@code PUT /v1/namespaces/{ns}/policy}
 * plus the namespace taken from the URL. It owns the policy's validation rules; resolution lives
 * in {@link TierResolver}.
 *
 * <p>The record accepts anything so that {@link #validate()} can report every problem at once;
 * use {@link #requireValid()} before trusting it.
 *
 * @param pathOverrides null is treated as empty
 * @param requestTtlSeconds how long a request may wait for approvals; null means
 *     {@link #DEFAULT_REQUEST_TTL_SECONDS}
 * @param approvers ids of the approver or admin principals that decide requests here (checked against
 *     the principal table when the policy is written, see PolicyService); null means
 *     "every approver whose namespaces include this one" (the API's default)
 * @param sla the policy's SLA ladder (reminder, escalation), which overrides may refine; null means none
 */
public record NamespacePolicy(String namespace, Tier defaultTier, List<PathOverride> pathOverrides,
                              Integer requestTtlSeconds, List<String> approvers, Sla sla) {

    /** 30 minutes: the gap between {@code timestamp} and {@code expires_at} in the reference's webhook example. */
    public static final int DEFAULT_REQUEST_TTL_SECONDS = 1800;
    public static final int MAX_REQUEST_TTL_SECONDS = 7 * 24 * 3600;
    /** Keeps "is this scope's tier reachable" analysis cheap and policies reviewable. */
    public static final int MAX_PATH_OVERRIDES = 100;
    /** Beyond this a request is more likely to be unapprovable than safer. */
    public static final int MAX_REQUIRED_APPROVALS = 10;
    public static final int MAX_APPROVAL_DELAY_SECONDS = 24 * 3600;
    public static final int MAX_APPROVER_LENGTH = 256;
    /** Paths have at most this many segments, so a pattern needing more can never match. */
    public static final int MAX_PATH_SEGMENTS = 16;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    // Path characters plus the glob operators. Anything else would be taken literally by Glob and
    // could never match a stored path — usually a sign the admin expected regex or brace syntax.
    private static final Pattern PATTERN_CHARACTERS = Pattern.compile("[A-Za-z0-9._\\-/*?]*");
    private static final String TIERS = "must be one of: standard, sensitive, critical";

    public NamespacePolicy {
        // Copies that keep null elements, so validate() can point at them.
        pathOverrides = pathOverrides == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(pathOverrides));
        approvers = approvers == null ? null : Collections.unmodifiableList(new ArrayList<>(approvers));
        sla = sla == null ? Sla.NONE : sla;
    }

    /** A policy without an SLA ladder. */
    public NamespacePolicy(String namespace, Tier defaultTier, List<PathOverride> pathOverrides, Integer requestTtlSeconds,
            List<String> approvers) {
        this(namespace, defaultTier, pathOverrides, requestTtlSeconds, approvers, null);
    }

    /** The policy of a namespace nobody configured: everything standard unless a secret says otherwise. */
    public static NamespacePolicy defaultFor(String namespace) {
        return new NamespacePolicy(namespace, Tier.STANDARD, List.of(), null, null);
    }

    public int effectiveRequestTtlSeconds() {
        return requestTtlSeconds != null ? requestTtlSeconds : DEFAULT_REQUEST_TTL_SECONDS;
    }

    /** Returns this policy, or throws with every violation if there is any. */
    public NamespacePolicy requireValid() {
        List<PolicyViolation> violations = validate();
        if (!violations.isEmpty()) {
            throw new InvalidPolicyException(violations);
        }
        return this;
    }

    /**
     * Every violation, in field order; empty when the policy is valid. Field paths use the JSON
     * names ({@code path_overrides[1].required_approvals}).
     */
    public List<PolicyViolation> validate() {
        List<PolicyViolation> out = new ArrayList<>();
        boolean namespaceValid = namespace != null && SEGMENT.matcher(namespace).matches()
            && !namespace.equals(".") && !namespace.equals("..");
        if (!namespaceValid) {
            out.add(new PolicyViolation("namespace",
                "must be one path segment: 1 to 128 of A-Z a-z 0-9 . _ -, and not '.' or '..'"));
        }
        if (defaultTier == null) {
            out.add(new PolicyViolation("default_tier", TIERS));
        }
        if (pathOverrides.size() > MAX_PATH_OVERRIDES) {
            out.add(new PolicyViolation("path_overrides", "must have at most " + MAX_PATH_OVERRIDES + " entries"));
        }
        Map<String, Integer> firstIndexOfPattern = new HashMap<>();
        for (int i = 0; i < pathOverrides.size(); i++) {
            validateOverride(i, pathOverrides.get(i), namespaceValid, firstIndexOfPattern, out);
        }
        boolean ttlValid = requestTtlSeconds == null || (requestTtlSeconds >= 1 && requestTtlSeconds <= MAX_REQUEST_TTL_SECONDS);
        if (!ttlValid) {
            out.add(new PolicyViolation("request_ttl_seconds", "must be between 1 and " + MAX_REQUEST_TTL_SECONDS));
        }
        validateApprovers(out);
        Integer deadline = ttlValid ? effectiveRequestTtlSeconds() : null;
        sla.validate("", deadline, sla, out);
        for (int i = 0; i < pathOverrides.size(); i++) {
            PathOverride o = pathOverrides.get(i);
            if (o != null) {
                o.sla().validate("path_overrides[" + i + "].", deadline, o.sla().orElse(sla), out);
            }
        }
        return out;
    }

    private void validateOverride(int i, PathOverride o, boolean namespaceValid,
                                  Map<String, Integer> firstIndexOfPattern, List<PolicyViolation> out) {
        String at = "path_overrides[" + i + "]";
        if (o == null) {
            out.add(new PolicyViolation(at, "must not be null"));
            return;
        }
        validatePattern(at + ".pattern", o.pattern(), namespaceValid, out);
        if (o.pattern() != null) {
            Integer first = firstIndexOfPattern.putIfAbsent(o.pattern(), i);
            if (first != null) {
                // Two entries for one pattern would tie on every path; make the admin pick one.
                out.add(new PolicyViolation(at + ".pattern", "duplicates path_overrides[" + first + "].pattern"));
            }
        }
        if (o.tier() == null) {
            out.add(new PolicyViolation(at + ".tier", TIERS));
        }
        validateApprovals(at + ".required_approvals", o.tier(), o.requiredApprovals(), out);
        validateDelay(at + ".approval_delay_seconds", o.tier(), o.approvalDelaySeconds(), out);
    }

    private void validatePattern(String field, String pattern, boolean namespaceValid, List<PolicyViolation> out) {
        if (pattern == null || pattern.isBlank()) {
            out.add(new PolicyViolation(field, "is required"));
            return;
        }
        if (!PATTERN_CHARACTERS.matcher(pattern).matches()) {
            out.add(new PolicyViolation(field,
                "may contain only letters, digits, '.', '_', '-', '/', '*' and '?' (no character classes, braces or escapes)"));
            return;
        }
        try {
            Glob.compile(pattern);
        } catch (IllegalArgumentException e) {
            out.add(new PolicyViolation(field, "is not a valid glob: " + e.getMessage()));
            return;
        }
        if (namespaceValid) {
            String prefix = namespace + "/";
            if (pattern.equals(namespace)) {
                out.add(new PolicyViolation(field,
                    "must name paths below the namespace, e.g. \"" + namespace + "/**\" for all of it"));
                return;
            }
            if (!pattern.startsWith(prefix)) {
                out.add(new PolicyViolation(field,
                    "must start with \"" + prefix + "\": an override applies only inside its namespace"));
                return;
            }
        }
        int fixedSegments = 0;
        for (String segment : pattern.split("/")) {
            if (!segment.equals("**")) {
                fixedSegments++;
            }
        }
        if (fixedSegments > MAX_PATH_SEGMENTS) {
            out.add(new PolicyViolation(field,
                "can never match: paths have at most " + MAX_PATH_SEGMENTS + " segments"));
        }
    }

    private static void validateApprovals(String field, Tier tier, Integer approvals, List<PolicyViolation> out) {
        if (approvals == null) {
            return;
        }
        if (approvals < 0) {
            out.add(new PolicyViolation(field, "must be at least 0"));
        } else if (tier == Tier.STANDARD && approvals != 0) {
            out.add(new PolicyViolation(field, "must be 0 or omitted: standard is auto-approved"));
        } else if (tier == Tier.SENSITIVE && approvals < 1) {
            out.add(new PolicyViolation(field, "must be at least 1 for sensitive"));
        } else if (tier == Tier.CRITICAL && approvals < 2) {
            out.add(new PolicyViolation(field, "must be at least 2 for critical"));
        } else if (approvals > MAX_REQUIRED_APPROVALS) {
            out.add(new PolicyViolation(field, "must be at most " + MAX_REQUIRED_APPROVALS));
        }
    }

    private static void validateDelay(String field, Tier tier, Integer delay, List<PolicyViolation> out) {
        if (delay == null) {
            return;
        }
        if (delay < 0) {
            out.add(new PolicyViolation(field, "must be at least 0"));
        } else if (tier != null && tier != Tier.CRITICAL && delay != 0) {
            // The cancel window is part of the critical flow only (the "delayed" request status).
            out.add(new PolicyViolation(field, "must be 0 or omitted: only critical has an approval delay"));
        } else if (delay > MAX_APPROVAL_DELAY_SECONDS) {
            out.add(new PolicyViolation(field, "must be at most " + MAX_APPROVAL_DELAY_SECONDS));
        }
    }

    private void validateApprovers(List<PolicyViolation> out) {
        if (approvers == null) {
            return;
        }
        if (approvers.isEmpty()) {
            // An empty list would leave sensitive and critical requests unapprovable; omitting the
            // field is how to ask for the default designation.
            out.add(new PolicyViolation("approvers",
                "must name at least one approver; omit it to use every approver assigned to the namespace"));
            return;
        }
        validateIds("approvers", approvers, out);
    }

    /** Each entry of a list of principal ids: present, not too long, listed once. */
    static void validateIds(String listField, List<String> ids, List<PolicyViolation> out) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String a = ids.get(i);
            String field = listField + "[" + i + "]";
            if (a == null || a.isBlank()) {
                out.add(new PolicyViolation(field, "must not be blank"));
            } else if (a.length() > MAX_APPROVER_LENGTH) {
                out.add(new PolicyViolation(field, "must be at most " + MAX_APPROVER_LENGTH + " characters"));
            } else if (!seen.add(a)) {
                out.add(new PolicyViolation(field, "is listed twice"));
            }
        }
    }
}
