-- Repairs audit chains sealed in the wrong order (issue 11).
--
-- Until this release the sealer and verify ordered entries by the TEXT of their transaction id
-- (`xid::text` selected under the name xid, then `order by xid`). Within one number of digits that is
-- the numeric order; across a power of ten it is not ("1000" < "999"). A batch that spanned one was
-- sealed out of order: its seal ends at an entry that is not its largest, so the next batch sealed
-- some entries again, and a batch cut by the row limit jumped over entries that were never sealed.
-- Verify then reported a present entry as missing (or as added after sealing) and stopped there.
--
-- A seal is misordered when its entries do not match the entries lying between the previous seal's
-- end and its own end, in numeric (xid, id) order, and those entries have transaction ids of more
-- than one length: the text sort can have caused it. Any other mismatch is left for verify to name,
-- since it is evidence of tampering that a repair must not hide.
--
-- The repair removes the first misordered seal and every seal after it (their hashes depend on it),
-- keeps them in audit_seal_superseded, and writes an audit.repair entry saying what it removed. The
-- sealer then seals those entries again, in order, and verify is valid. Entries sealed before the
-- first misordered seal keep their seals, so tampering among them is still found.
--
-- audit_chain_repair() stays: during a rolling upgrade a replica of the old release may still seal
-- across a power of ten after this migration ran; running `select audit_chain_repair();` once every
-- old replica is gone repairs that too, and does nothing on a chain in order.

create table audit_seal_superseded (
    like audit_seal,
    superseded_by text collate "C" not null   -- id of the audit.repair entry that removed the seal
);

-- The seq of the first misordered seal, or null when the chain is in order.
create function audit_chain_first_misordered_seal() returns bigint
language sql stable as $$
with seals as (
    select seq, last_xid, last_id, entry_ids,
           coalesce(lag(last_xid) over (order by seq), '0'::xid8) as from_xid,
           coalesce(lag(last_id) over (order by seq), '') as from_id
    from audit_seal
),
-- each entry a seal holds (and that still exists), and whether it lies in that seal's range
held as (
    select s.seq, e.id, e.xid,
           (e.xid, e.id) > (s.from_xid, s.from_id) and (e.xid, e.id) <= (s.last_xid, s.last_id) as in_range
    from seals s
    cross join lateral unnest(s.entry_ids) as u(id)
    join audit_entry e on e.id = u.id
),
-- each entry lying in a seal's range
ranged as (
    select s.seq, e.id, e.xid
    from seals s
    join audit_entry e on (e.xid, e.id) > (s.from_xid, s.from_id) and (e.xid, e.id) <= (s.last_xid, s.last_id)
),
wrong as (
    select seq from held where not in_range
    union
    select r.seq from ranged r where not exists (select 1 from held h where h.seq = r.seq and h.id = r.id)
)
select min(w.seq) from wrong w
where (select count(distinct length(x.xid::text))
       from (select xid from held h where h.seq = w.seq union all select xid from ranged r where r.seq = w.seq) x) > 1
$$;

-- Removes the first misordered seal and all after it; returns how many seals it removed.
create function audit_chain_repair() returns bigint
language plpgsql as $$
declare
    alphabet constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    bad bigint;
    removed bigint;
    positions bigint;
    head_seq bigint;
    head_hash bytea;
    ms bigint;
    ulid text := '';
    repair_id text;
begin
    -- The sealer's own lock (AuditSealer.LOCK_CLASS, per schema): no seal is added meanwhile.
    perform pg_advisory_xact_lock(7364003, hashtext(current_schema()));
    bad := audit_chain_first_misordered_seal();
    if bad is null then
        return 0;
    end if;
    select s.first_seq + cardinality(s.entry_ids) - 1, substring(s.entry_hashes from length(s.entry_hashes) - 31)
      into head_seq, head_hash
      from audit_seal s order by s.seq desc limit 1;
    select count(*), sum(cardinality(s.entry_ids)) into removed, positions from audit_seal s where s.seq >= bad;
    -- An id like the service's (common.Ids): "aud_", 48-bit milliseconds and 80 random bits, Crockford base32.
    ms := (extract(epoch from clock_timestamp()) * 1000)::bigint;
    for i in 1..10 loop
        ulid := substr(alphabet, (ms % 32)::int + 1, 1) || ulid;
        ms := ms / 32;
    end loop;
    for i in 1..16 loop
        ulid := ulid || substr(alphabet, floor(random() * 32)::int + 1, 1);
    end loop;
    repair_id := 'aud_' || ulid;
    insert into audit_seal_superseded select s.*, repair_id from audit_seal s where s.seq >= bad;
    delete from audit_seal where seq >= bad;
    insert into audit_entry (id, recorded_at, action, outcome, actor_id, actor_name, details)
    values (repair_id, now(), 'audit.repair', 'success', 'system', 'audit-repair', jsonb_build_object(
        'reason', 'seals ordered by the text of transaction ids; their entries are sealed again in numeric order',
        'first_removed_seal', bad,
        'removed_seals', removed,
        'removed_positions', positions,
        'previous_head', jsonb_build_object('chain_seq', head_seq, 'entry_hash', encode(head_hash, 'hex')),
        'kept_in', 'audit_seal_superseded')::text);
    return removed;
end
$$;

select audit_chain_repair();
