package com.agentsecretstore.approval;

import java.util.Map;

import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.ProblemType;

/**
 * A refusal of {@link ApprovalRules} on its way out: the one place it becomes a problem kind (all
 * 409), with the request's status as member {@code approval_status}.
 */
public final class ApprovalConflict extends ApiException {

    private final ApprovalRefusal refusal;

    public ApprovalConflict(ApprovalRefusal refusal, ApprovalStatus status) {
        super(type(refusal), refusal.message(status), null, Map.of("approval_status", status.wire()));
        this.refusal = refusal;
    }

    private static ProblemType type(ApprovalRefusal refusal) {
        return switch (refusal) {
            case EXPIRED -> ProblemType.APPROVAL_EXPIRED;
            case ALREADY_APPROVED -> ProblemType.ALREADY_APPROVED;
            case NOTHING_TO_COLLECT -> ProblemType.NO_TOKEN_TO_COLLECT;
            case CLOSED, NOT_DUE -> ProblemType.APPROVAL_CLOSED;
        };
    }

    public ApprovalRefusal refusal() {
        return refusal;
    }
}
