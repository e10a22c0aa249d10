package com.agentsecretstore.approval;

import java.util.List;
import java.util.Map;

import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.ProblemType;

/**
 * A refusal of {@link ApprovalRules} on its way out: the one place it becomes a problem kind (409
 * for the request's state, 422 {@code validation-failed} with {@code errors} for a narrowing that
 * would widen), with the request's status as member {@code approval_status}.
 */
public final class ApprovalConflict extends ApiException {

    private final ApprovalRefusal refusal;

    public ApprovalConflict(ApprovalRefusal refusal, ApprovalStatus status) {
        super(type(refusal), refusal.field() == null ? refusal.message(status) : "The request has invalid fields.",
                refusal.field() == null ? null : List.of(new FieldError(refusal.field(), refusal.message(status))),
                Map.of("approval_status", status.wire()));
        this.refusal = refusal;
    }

    private static ProblemType type(ApprovalRefusal refusal) {
        return switch (refusal) {
            case EXPIRED -> ProblemType.APPROVAL_EXPIRED;
            case ALREADY_APPROVED -> ProblemType.ALREADY_APPROVED;
            case NOTHING_TO_COLLECT -> ProblemType.NO_TOKEN_TO_COLLECT;
            case CLOSED, NOT_DUE -> ProblemType.APPROVAL_CLOSED;
            case SCOPE_NOT_NARROWER, TTL_NOT_SHORTER, USES_NOT_FEWER -> ProblemType.VALIDATION_FAILED;
        };
    }

    public ApprovalRefusal refusal() {
        return refusal;
    }
}
