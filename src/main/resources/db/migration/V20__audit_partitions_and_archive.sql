-- Audit at scale (issue 15, part 1): audit_entry partitioned by day, and a record of the archived
-- (exported, then dropped) part of the chain.
--
-- audit_entry becomes a table partitioned by range of recorded_at, one partition per UTC day, named
-- audit_entry_pYYYYMMDD. The service creates the coming days' partitions ahead (AuditPartitions);
-- audit_entry_default takes any row no day partition covers (a service that was down past the days
-- created ahead), so an insert never fails for want of a partition. A primary key of a partitioned
-- table must hold the partition key: (id, recorded_at). ids stay unique in practice (80 random bits),
-- and the sealer and verify never rely on the key for that: a seal names each entry it holds.
--
-- The chain does not depend on partitions: entries are sealed in (xid, id) order whatever their day.

alter table audit_entry rename to audit_entry_unpartitioned;
alter index audit_entry_pkey rename to audit_entry_unpartitioned_pkey;
drop index audit_entry_recorded_at, audit_entry_namespace_id, audit_entry_actor_id, audit_entry_action_id, audit_entry_xid;

create table audit_entry (
    id          text collate "C" not null,
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
    xid         xid8 not null default pg_current_xact_id(),
    primary key (id, recorded_at)
) partition by range (recorded_at);

-- Indexes on the parent are created on every partition, present and future. GET /v1/audit pages
-- newest first by id, so each filter's index ends in id; the primary key serves the unfiltered list
-- and a lookup by id. (xid, id) is the sealer's and verify's order.
create index audit_entry_namespace_id on audit_entry (namespace, id);
create index audit_entry_actor_id on audit_entry (actor_id, id);
create index audit_entry_action_id on audit_entry (action, id);
create index audit_entry_path_id on audit_entry (path, id);
-- Denials and failures are few among successes: a small index finds them without scanning successes.
create index audit_entry_outcome_id on audit_entry (outcome, id) where outcome <> 'success';
create index audit_entry_xid on audit_entry (xid, id);
-- A time window (from/to) within a day, and the check that the default partition holds no row of a
-- day about to be created.
create index audit_entry_recorded_at on audit_entry (recorded_at);

create table audit_entry_default partition of audit_entry default;

-- A partition for every day that has entries, and for today and the next two days.
do $$
declare
    day date;
begin
    for day in
        select distinct (recorded_at at time zone 'UTC')::date from audit_entry_unpartitioned
        union
        select (now() at time zone 'UTC')::date + g from generate_series(0, 2) g
    loop
        execute format('create table %I partition of audit_entry for values from (%L) to (%L)',
                       'audit_entry_p' || to_char(day, 'YYYYMMDD'),
                       (day::timestamp at time zone 'UTC'), ((day + 1)::timestamp at time zone 'UTC'));
    end loop;
end
$$;

insert into audit_entry (id, recorded_at, action, outcome, actor_id, actor_name, actor_role, namespace, path,
                         target_id, source_ip, details, xid)
select id, recorded_at, action, outcome, actor_id, actor_name, actor_role, namespace, path,
       target_id, source_ip, details, xid
from audit_entry_unpartitioned;

drop table audit_entry_unpartitioned;

-- One row per dropped partition. Before a partition is dropped, the seals after the previous archive
-- up to the one holding the partition's last entry are exported with every entry they hold (some of
-- those entries may live in the next day's partition and stay here too) into a gzip JSON Lines file.
-- The newest row is where verify starts: seal last_seal ends at chain position last_chain_seq with
-- head_hash, at sealing cursor (last_xid, last_id). The row is signed by the service's key (statement
-- audit.ArchiveStatement), so a row inserted in SQL cannot make verify skip a part of the chain.
create table audit_archive (
    partition_name  text collate "C" primary key,
    range_from      timestamptz not null,
    range_to        timestamptz not null,
    file_name       text,                            -- null when no seal had to be exported
    file_sha256     bytea,
    first_seal      bigint not null,
    last_seal       bigint not null,
    first_chain_seq bigint not null,
    last_chain_seq  bigint not null,
    prev_hash       bytea not null,
    head_hash       bytea not null,
    last_xid        xid8 not null,
    last_id         text collate "C" not null,
    entries         bigint not null,
    key_id          text collate "C" not null,
    signature       bytea not null,
    archived_at     timestamptz not null
);
create index audit_archive_last_seal on audit_archive (last_seal);
