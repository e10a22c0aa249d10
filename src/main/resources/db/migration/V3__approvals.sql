-- Namespace policies, kept as the validated JSON document the admin PUT.
create table namespace_policy (
    namespace  text primary key,
    document   text not null,
    revision   integer not null,
    updated_at timestamptz not null,
    updated_by text not null
);

-- Service-wide settings changed at run time (e.g. the MoltbotDen integration).
create table setting (
    name       text primary key,
    value      text not null,
    updated_at timestamptz not null,
    updated_by text not null
);

-- A request for a scoped token that needs human approval. Every fact the workflow needs lives
-- here, so that a restart or another replica can carry on from the row alone.
create table approval_request (
    id                 text primary key,
    requester_id       text not null references principal (id),
    requester_name     text not null,
    namespace          text not null,
    scope              text not null,
    scope_glob         text not null,
    description        text not null,
    token_ttl_seconds  integer not null,
    tier               text not null check (tier in ('standard', 'sensitive', 'critical')),
    required_approvals integer not null,
    delay_seconds      integer not null,
    trust_tier         text,
    secret_paths       text[] not null,
    explanation        text not null,
    status             text not null check (status in ('pending', 'delayed', 'approved', 'denied', 'cancelled', 'expired')),
    created_at         timestamptz not null,
    expires_at         timestamptz not null,
    issue_at           timestamptz,
    decided_at         timestamptz,
    token_id           text
);
create index approval_request_open on approval_request (status, expires_at) where status in ('pending', 'delayed');
create index approval_request_due on approval_request (issue_at) where status = 'delayed';
create index approval_request_namespace on approval_request (namespace, id);
create index approval_request_requester on approval_request (requester_id, id);

-- Approvals, the denial and the cancellation of a request, with who, when and why.
create table approval_decision (
    id           text primary key,
    request_id   text not null references approval_request (id),
    principal_id text not null,
    principal_name text not null,
    kind         text not null check (kind in ('approve', 'deny', 'cancel')),
    note         text,
    decided_at   timestamptz not null
);
-- One approver counts once, even if two of its clicks race.
create unique index approval_decision_once on approval_decision (request_id, principal_id) where kind = 'approve';
create index approval_decision_request on approval_decision (request_id);

-- Scoped tokens: only the SHA-256 of the value is kept. A token issued through an approval gets
-- its value when the requester collects it (each collection mints a new value and invalidates the
-- one before), so no plaintext ever waits in the database.
create table token (
    id           text primary key,
    principal_id text not null references principal (id),
    request_id   text references approval_request (id),
    hash         bytea unique,
    prefix       text,
    scope        text not null,
    scope_glob   text not null,
    namespace    text not null,
    tier         text not null check (tier in ('standard', 'sensitive', 'critical')),
    issued_at    timestamptz not null,
    expires_at   timestamptz not null,
    collected_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   text
);
create index token_principal on token (principal_id, id);
