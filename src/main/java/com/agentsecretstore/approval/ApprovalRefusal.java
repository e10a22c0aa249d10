package com.agentsecretstore.approval;

/**
 * Why {@link ApprovalRules} refuse a step in the request's current state. HTTP statuses are chosen
 * at the edge ({@link ApprovalConflict}).
 */
public enum ApprovalRefusal {
    /** A pending request past its expiry; the expiry job has not marked it yet. */
    EXPIRED,
    /** The request is final, or (for an approval) already has all its approvals. */
    CLOSED,
    /** An approver counts once. */
    ALREADY_APPROVED,
    /** Only an approved request has a token to collect. */
    NOTHING_TO_COLLECT,
    /** A critical request is approved only with a fresh passkey assertion made for it. */
    STEP_UP_REQUIRED,
    /** The passkey assertion presented was not accepted. */
    STEP_UP_INVALID,
    /** A job found the request not (or no longer) due: another replica or a decision came first. */
    NOT_DUE,
    /** An approval may narrow the scope, never widen it or leave it. */
    SCOPE_NOT_NARROWER,
    /** An approval may shorten the token's lifetime, never lengthen it. */
    TTL_NOT_SHORTER,
    /** An approval may lower the token's reads, never raise or remove the limit. */
    USES_NOT_FEWER;

    /** The request field a narrowing refusal is about (problem member {@code errors}); null for the others. */
    public String field() {
        return switch (this) {
            case SCOPE_NOT_NARROWER -> "scope";
            case TTL_NOT_SHORTER -> "ttl_seconds";
            case USES_NOT_FEWER -> "max_uses";
            default -> null;
        };
    }

    /** A reason safe to show to the caller. */
    public String message(ApprovalStatus status) {
        return switch (this) {
            case EXPIRED -> "The request has expired.";
            case CLOSED -> "The request is " + status.wire() + ".";
            case ALREADY_APPROVED -> "This approver has already approved this request; an approver counts once.";
            case NOTHING_TO_COLLECT -> "The request is " + status.wire() + "; there is no token to collect.";
            case NOT_DUE -> "The request is not due.";
            case SCOPE_NOT_NARROWER -> "must be within the scope in effect (an approval narrows, never widens)";
            case TTL_NOT_SHORTER -> "must be between 1 and the lifetime in effect (an approval shortens, never lengthens)";
            case USES_NOT_FEWER -> "must be between 1 and the reads in effect (an approval lowers, never raises)";
            case STEP_UP_REQUIRED -> "Approving a critical request needs a passkey assertion made for this request "
                    + "(POST /v1/approvals/{id}/step-up, then approve with step_up).";
            case STEP_UP_INVALID -> "The passkey assertion was not accepted for this request and approver; "
                    + "its challenge is spent, ask for a new one.";
        };
    }
}
