-- Where an approval request's trust tier came from (policy.moltbotden.TrustSource): an admin's
-- override on the principal, a registry lookup, a lookup that gave no usable answer, or an agent
-- with neither a MoltbotDen id nor an override. Null when trust tiers were off (trust_tier is null too).
-- The run-time MoltbotDen switch and URL live in the existing `setting` table (V3), name
-- 'integrations.moltbotden', as {"enabled": ..., "base_url": ...}; the API key is never stored.
alter table approval_request add column trust_source text
    check (trust_source in ('override', 'lookup', 'unavailable', 'unlinked'));

-- Before lookups existed, every recorded trust tier was set by an admin.
update approval_request set trust_source = 'override' where trust_tier is not null;

alter table approval_request add constraint approval_request_trust_source_with_tier
    check ((trust_tier is null) = (trust_source is null));
