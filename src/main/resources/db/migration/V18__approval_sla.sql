-- The SLA ladder of an approval request (issue 16.3): when its approvers are reminded, when it
-- escalates and to whom. The times and the escalation approvers are fixed when the request is made,
-- from the policy that applied then (as the decision receipt's policy revision is), so a later policy
-- change never rewrites a running ladder. reminded_at and escalated_at record that the step happened:
-- the scheduled job claims a due row only while they are null, so each step is published once across
-- replicas and restarts.
alter table approval_request
    add column remind_at            timestamptz,
    add column reminded_at          timestamptz,
    add column escalate_at          timestamptz,
    add column escalated_at         timestamptz,
    add column escalation_approvers text[] not null default '{}';

create index approval_request_remind_due on approval_request (remind_at)
    where status = 'pending' and reminded_at is null and remind_at is not null;
create index approval_request_escalate_due on approval_request (escalate_at)
    where status = 'pending' and escalated_at is null and escalate_at is not null;
-- "Which requests escalated to me" (the audit trail's reach of an escalation approver).
create index approval_request_escalated_to on approval_request using gin (escalation_approvers)
    where escalated_at is not null;
