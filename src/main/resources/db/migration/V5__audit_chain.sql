-- Audit listing: every filter of GET /v1/audit pages newest first by id, so each index ends in id.
-- Kept to the filters that narrow most; every index is paid for by every audited request.
create index audit_entry_namespace_id on audit_entry (namespace, id);
create index audit_entry_actor_id on audit_entry (actor_id, id);
create index audit_entry_action_id on audit_entry (action, id);
