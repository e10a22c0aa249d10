-- Passkey step-up of critical approvals (issue 16.4). An approver registers passkeys (WebAuthn
-- credentials); approving a critical request then needs a fresh assertion made for that request.
-- The public key travels inside credential_data (WebAuthn's attested credential data: AAGUID,
-- credential id, COSE key), the encoding the verifier reads back. sign_count is the authenticator's
-- counter as last seen: a counter that does not grow betrays a cloned authenticator.
create table passkey_credential (
    id             text primary key,
    principal_id   text not null references principal (id) on delete cascade,
    credential_id  bytea not null unique,
    credential_data bytea not null,
    sign_count     bigint not null check (sign_count >= 0),
    uv_initialized boolean not null,
    backup_eligible boolean not null,
    backup_state   boolean not null,
    label          text not null,
    created_at     timestamptz not null,
    last_used_at   timestamptz
);
create index passkey_credential_principal on passkey_credential (principal_id);

-- Challenges the service handed out and has not seen used. Only a hash is kept; a challenge is
-- consumed by deleting its row, so it is good once, for its principal, its purpose and (for a
-- step-up) its approval request, until expires_at.
create table passkey_challenge (
    challenge_hash bytea primary key,
    principal_id   text not null references principal (id) on delete cascade,
    purpose        text not null check (purpose in ('register', 'step_up')),
    request_id     text references approval_request (id) on delete cascade,
    expires_at     timestamptz not null,
    check ((purpose = 'step_up') = (request_id is not null))
);
create index passkey_challenge_principal on passkey_challenge (principal_id, expires_at);
