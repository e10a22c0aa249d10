package com.agentsecretstore.policy;

import java.util.List;

/** A policy failed validation; carries every violation, not just the first. */
public class InvalidPolicyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<PolicyViolation> violations;

    public InvalidPolicyException(List<PolicyViolation> violations) {
        super("invalid namespace policy: " + violations.size() + " violation(s)");
        this.violations = List.copyOf(violations);
    }

    public List<PolicyViolation> violations() {
        return violations;
    }
}
