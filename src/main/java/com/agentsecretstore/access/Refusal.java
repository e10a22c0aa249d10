package com.agentsecretstore.access;

/**
 * Why the access model refuses a principal an action on a request. HTTP statuses are chosen at the
 * edge ({@link AccessException}): a request the caller may not see does not exist for it.
 */
public enum Refusal {
    /** The caller may not see the request at all. */
    NOT_VISIBLE,
    /** The requester never approves or denies its own request. */
    REQUESTER_MAY_NOT_DECIDE,
    /** The caller sees the request but is not one of those who decide it. */
    NOT_DESIGNATED,
    /** The caller sees the request but may not cancel it. */
    MAY_NOT_CANCEL,
    /** Only the requester collects the token. */
    NOT_REQUESTER;

    /** A reason safe to show to the caller. */
    public String message() {
        return switch (this) {
            case NOT_VISIBLE -> "No such approval request.";
            case REQUESTER_MAY_NOT_DECIDE -> "The requester may not approve or deny its own request; it may cancel it.";
            case NOT_DESIGNATED -> "Only a designated approver of this request may approve or deny it.";
            case MAY_NOT_CANCEL -> "Only the requester, an admin or an approver who may see the request may cancel it.";
            case NOT_REQUESTER -> "Only the requester may collect the token.";
        };
    }
}
