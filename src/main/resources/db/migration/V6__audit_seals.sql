-- Audit entries become insert-only. Until now the sealer wrote each entry's place in the chain
-- (chain_seq, prev_hash, entry_hash) back into its row: a second, non-HOT write of every row and of
-- all its indexes, which cost about as much as the insert itself. The chain now lives in audit_seal,
-- one row per sealed batch, and an entry is never touched again once inserted.
--
-- Order of sealing: xid is the id of the transaction that wrote the entry. The sealer takes only
-- entries whose xid is below the oldest transaction still running (pg_snapshot_xmin of its own
-- snapshot): those transactions have all ended, so no entry can still appear in that range later.
-- Sealed entries are exactly those at or below the newest seal's (last_xid, last_id).

create table audit_seal (
    seq          bigint primary key,
    first_seq    bigint not null unique,         -- chain position of entry_ids[1]
    last_xid     xid8 not null,                  -- (last_xid, last_id): the last entry sealed so far
    last_id      text collate "C" not null,
    prev_hash    bytea not null,                 -- hash the first entry links to
    entry_ids    text[] not null,                -- in chain order
    entry_hashes bytea not null,                 -- 32 bytes per entry, in the same order
    sealed_at    timestamptz not null
);
create index audit_seal_cursor on audit_seal (last_xid, last_id);

alter table audit_entry add column xid xid8;

-- The chain sealed so far is kept: its entries, in chain order, form the first seal under xid 0.
update audit_entry set xid = '0' where chain_seq is not null;
insert into audit_seal (seq, first_seq, last_xid, last_id, prev_hash, entry_ids, entry_hashes, sealed_at)
select 1, min(chain_seq), '0', max(id), (array_agg(prev_hash order by chain_seq))[1],
       array_agg(id order by chain_seq), string_agg(entry_hash, ''::bytea order by chain_seq), now()
from audit_entry where chain_seq is not null
having count(*) > 0;
-- Entries not sealed yet are sealed after it, as if written now.
update audit_entry set xid = pg_current_xact_id() where xid is null;

alter table audit_entry alter column xid set default pg_current_xact_id();
alter table audit_entry alter column xid set not null;
drop index audit_entry_unsealed;
alter table audit_entry drop column chain_seq, drop column prev_hash, drop column entry_hash;
-- Byte order for ids, so that the service, which compares them too, agrees with every index.
alter table audit_entry alter column id type text collate "C";
create index audit_entry_xid on audit_entry (xid, id);

-- Each sealed entry's place in the chain, for people and tests (it expands every seal: not for hot paths).
create view audit_chain as
select o.id,
       s.first_seq + o.i - 1 as chain_seq,
       case when o.i = 1 then s.prev_hash else substring(s.entry_hashes from (o.i::int - 2) * 32 + 1 for 32) end as prev_hash,
       substring(s.entry_hashes from (o.i::int - 1) * 32 + 1 for 32) as entry_hash,
       s.seq as seal_seq
from audit_seal s
cross join lateral unnest(s.entry_ids) with ordinality as o(id, i);
