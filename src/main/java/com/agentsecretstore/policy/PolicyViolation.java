package com.agentsecretstore.policy;

/**
 * One problem with a submitted policy.
 *
 * @param field the JSON path of the offending value as the client sent it, e.g.
 *     {@code path_overrides[1].required_approvals}, ready for a problem+json {@code errors[]} entry
 * @param message what is wrong, phrased for the admin who wrote the policy
 */
public record PolicyViolation(String field, String message) {
}
