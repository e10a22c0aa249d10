package com.agentsecretstore.notify;

import java.util.List;

/** The events of the approval lifecycle, as webhooks subscribe to them. */
public final class EventType {

    public static final String REQUESTED = "approval.requested";
    /** Extra to the reference's list: one approval recorded, more needed (dashboards show progress). */
    public static final String PROGRESS = "approval.progress";
    public static final String APPROVED = "approval.approved";
    public static final String DENIED = "approval.denied";
    public static final String CANCELLED = "approval.cancelled";
    public static final String EXPIRED = "approval.expired";
    public static final String TOKEN_ISSUED = "token.issued";
    /** The SLA ladder (issue 16.3): a pending request's approvers are notified again. */
    public static final String REMINDER = "approval.reminder";
    /** The SLA ladder: the policy's escalation approvers were added to those who decide the request. */
    public static final String ESCALATED = "approval.escalated";

    public static final List<String> ALL = List.of(REQUESTED, PROGRESS, APPROVED, DENIED, CANCELLED, EXPIRED, TOKEN_ISSUED,
            REMINDER, ESCALATED);

    private EventType() {
    }
}
