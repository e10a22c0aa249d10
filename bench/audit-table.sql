-- The service's audit_entry table as first designed (V1__foundation.sql), for pgbench: four indexes.
-- The table today (V5, V6) has six and no chain columns, so this floor is, if anything, a little cheap.
create table audit_like (
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
create index audit_like_recorded_at on audit_like (recorded_at);
create index audit_like_unsealed on audit_like (id) where chain_seq is null;
