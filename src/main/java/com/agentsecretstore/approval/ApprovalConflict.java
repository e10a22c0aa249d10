package com.agentsecretstore.approval;

import com.agentsecretstore.common.ApiException;

/** A refusal of {@link ApprovalRules} on its way out: the one place it becomes an HTTP status (409). */
public final class ApprovalConflict extends ApiException {

    private final ApprovalRefusal refusal;

    public ApprovalConflict(ApprovalRefusal refusal, ApprovalStatus status) {
        super(409, "Conflict", refusal.message(status), null);
        this.refusal = refusal;
    }

    public ApprovalRefusal refusal() {
        return refusal;
    }
}
