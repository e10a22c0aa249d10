package com.agentsecretstore.access;

import java.util.List;

/**
 * Who a namespace's policy names as approvers: the principal ids in its {@code approvers}, or
 * nobody in particular (then the namespace's approvers decide). Entries are matched by principal
 * id only; an entry naming no approver or admin (a legacy name, an agent, an unknown id) matches
 * nobody, so it can never make a principal created later an approver.
 */
public record Designation(List<String> approvers) {

    public static final Designation NAMESPACE_APPROVERS = new Designation(List.of());

    public Designation {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** Whether the policy names its approvers (a non-empty list). */
    public boolean listed() {
        return !approvers.isEmpty();
    }

    public boolean names(String principalId) {
        return approvers.contains(principalId);
    }
}
