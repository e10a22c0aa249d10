-- Approval budgets (issue #16, part 1): what was requested, what approvers narrowed it to, and
-- how many reads a token allows.
--
-- approval_request keeps the budget in effect (scope, scope_glob, token_ttl_seconds, max_uses:
-- narrowed by approvals) next to what the agent asked for (requested_*), so both are shown.
alter table approval_request
    add column requested_scope text,
    add column requested_ttl_seconds integer,
    add column max_uses integer check (max_uses is null or max_uses > 0),
    add column requested_max_uses integer,
    add column run_id text,
    -- SHA-256 of (requester, requested scope, description, run_id): one open request per key.
    add column dedupe_key bytea;
update approval_request set requested_scope = scope, requested_ttl_seconds = token_ttl_seconds;
alter table approval_request
    alter column requested_scope set not null,
    alter column requested_ttl_seconds set not null;
-- A restarted agent asking again for the same thing gets its open request back: at most one open
-- request per dedupe key, whatever replica takes the second ask.
create unique index approval_request_dedupe on approval_request (dedupe_key)
    where status in ('pending', 'delayed') and dedupe_key is not null;

-- What each approval narrowed (null: left as it was).
alter table approval_decision
    add column narrowed_scope text,
    add column narrowed_ttl_seconds integer,
    add column narrowed_max_uses integer;

-- A token's read budget: uses counts successful reads; null max_uses means no limit.
alter table token
    add column max_uses integer check (max_uses is null or max_uses > 0),
    add column uses integer not null default 0,
    add constraint token_uses_within_budget check (max_uses is null or uses <= max_uses);

-- Idempotency-Key of POST /v1/tokens, per principal, kept 24 h. The answer is stored without any
-- token value: an immediate grant is remembered by its token id only (a replay cannot return it).
create table idempotency_key (
    principal_id  text not null,
    key           text not null,
    body_sha256   bytea not null,
    -- what the first request did (issued, opened, repeated); null while it is being served
    outcome       text check (outcome in ('issued', 'opened', 'repeated')),
    -- its answer as JSON, never with a token value
    response      text,
    created_at    timestamptz not null,
    expires_at    timestamptz not null,
    primary key (principal_id, key)
);
create index idempotency_key_expiry on idempotency_key (expires_at);
