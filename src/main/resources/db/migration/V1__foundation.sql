-- Principals (people and agents) and their API keys. Keys are stored only as SHA-256 hashes.
create table principal (
    id            text primary key,
    name          text not null unique,
    role          text not null check (role in ('admin', 'approver', 'agent')),
    namespaces    text[] not null default '{}',
    email         text,
    trust_tier    text check (trust_tier in ('verified', 'established', 'active', 'new', 'unregistered')),
    moltbotden_id text,
    disabled      boolean not null default false,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);

create table api_key (
    id           text primary key,
    principal_id text not null references principal (id),
    prefix       text not null,
    hash         bytea not null unique,
    created_at   timestamptz not null,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
create index api_key_principal on api_key (principal_id);

-- Secrets: metadata in one row, every version's value sealed by the barrier
-- (AES-256-GCM with a per-version data key wrapped by a master key).
create table secret (
    path            text collate "C" primary key,
    namespace       text not null,
    tier            text not null check (tier in ('standard', 'sensitive', 'critical')),
    metadata        text not null default '{}',
    current_version integer not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    created_by      text not null,
    updated_by      text not null
);
create index secret_namespace on secret (namespace);

create table secret_version (
    path          text collate "C" not null references secret (path) on delete cascade,
    version       integer not null,
    master_key_id text not null,
    wrapped_key   bytea not null,
    ciphertext    bytea not null,
    created_at    timestamptz not null,
    created_by    text not null,
    primary key (path, version)
);
create index secret_version_master_key on secret_version (master_key_id);

-- Audit log: appended in the same transaction as the change it records. chain_seq, prev_hash and
-- entry_hash are filled by the chain sealer, which links committed entries in commit order.
create table audit_entry (
    id          text primary key,
    recorded_at timestamptz not null,
    action      text not null,
    outcome     text not null check (outcome in ('success', 'denied', 'failure')),
    actor_id    text,
    actor_name  text,
    actor_role  text,
    namespace   text,
    path        text,
    target_id   text,
    source_ip   text,
    details     text not null default '{}',
    chain_seq   bigint unique,
    prev_hash   bytea,
    entry_hash  bytea
);
create index audit_entry_recorded_at on audit_entry (recorded_at);
create index audit_entry_unsealed on audit_entry (id) where chain_seq is null;
