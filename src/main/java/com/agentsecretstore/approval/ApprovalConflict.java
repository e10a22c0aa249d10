package com.agentsecretstore.approval;

import java.util.List;
import java.util.Map;

import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.ProblemType;

/**
 * A refusal of {@link ApprovalRules} on its way out: the one place it becomes a problem kind (409
 * for the request's state, 403 for a missing or refused step-up, 422 {@code validation-failed} with
 * {@code errors} for a narrowing that would widen), with the request's status as member
 * {@code approval_status}.
 */
public final class ApprovalConflict extends ApiException {

    private final ApprovalRefusal refusal;

    public ApprovalConflict(ApprovalRefusal refusal, ApprovalStatus status) {
        this(refusal, status, Map.of());
    }

    /** With further extension members ({@code reason} of a refused step-up, say). */
    public ApprovalConflict(ApprovalRefusal refusal, ApprovalStatus status, Map<String, Object> members) {
        super(type(refusal), refusal.field() == null ? refusal.message(status) : "The request has invalid fields.",
                refusal.field() == null ? null : List.of(new FieldError(refusal.field(), refusal.message(status))),
                with(members, status));
        this.refusal = refusal;
    }

    private static Map<String, Object> with(Map<String, Object> members, ApprovalStatus status) {
        Map<String, Object> all = new java.util.LinkedHashMap<>(members);
        all.put("approval_status", status.wire());
        return all;
    }

    private static ProblemType type(ApprovalRefusal refusal) {
        return switch (refusal) {
            case EXPIRED -> ProblemType.APPROVAL_EXPIRED;
            case ALREADY_APPROVED -> ProblemType.ALREADY_APPROVED;
            case NOTHING_TO_COLLECT -> ProblemType.NO_TOKEN_TO_COLLECT;
            case CLOSED, NOT_DUE -> ProblemType.APPROVAL_CLOSED;
            case SCOPE_NOT_NARROWER, TTL_NOT_SHORTER, USES_NOT_FEWER -> ProblemType.VALIDATION_FAILED;
            case STEP_UP_REQUIRED -> ProblemType.STEP_UP_REQUIRED;
            case STEP_UP_INVALID -> ProblemType.STEP_UP_INVALID;
        };
    }

    public ApprovalRefusal refusal() {
        return refusal;
    }
}
