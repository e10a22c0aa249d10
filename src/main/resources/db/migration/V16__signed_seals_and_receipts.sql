-- A chain that database access alone cannot forge, and signed decision receipts (issue 15, parts 2 and 3).
--
-- Seals are signed with an Ed25519 key whose private half is stored only sealed by the master key
-- (crypto.Barrier): a dump or a database admin can read the public half, not sign. Each seal also
-- carries a 16-byte keyed tag per entry (HMAC under a key derived from the signing key), so that
-- verify can name the exact row after an edit followed by a full recompute of every hash.

-- Signing keys. At most one is active (signs new seals and receipts); retired keys stay, so that
-- what they signed stays verifiable. A row counts only if its sealed private key opens under a
-- configured master key and matches its public key: a row inserted in SQL is not trusted.
create table audit_signing_key (
    key_id        text collate "C" primary key,
    public_key    bytea not null check (length(public_key) = 32),   -- raw Ed25519 public key (RFC 8032)
    master_key_id text not null,
    wrapped_key   bytea not null,
    sealed_seed   bytea not null,                                   -- the 32-byte private seed, sealed by the barrier
    created_at    timestamptz not null,
    retired_at    timestamptz
);
create unique index audit_signing_key_active on audit_signing_key ((true)) where retired_at is null;

-- Seals written before this release have no signature; the sealer signs them once with the active
-- key (an attestation from the upgrade on), after which verify requires a signature on every seal.
alter table audit_seal
    add column key_id text collate "C",
    add column signature bytea,            -- Ed25519 over the seal statement (audit.SealStatement)
    add column entry_tags bytea;           -- 16 bytes per entry, in entry order
create index audit_seal_unsigned on audit_seal (seq) where signature is null;

alter table audit_seal_superseded
    add column key_id text collate "C",
    add column signature bytea,
    add column entry_tags bytea;

-- audit_chain_repair() copied removed seals by position (s.*, then superseded_by); with the new
-- columns after superseded_by, it names every column instead. Otherwise unchanged (see V7).
create or replace function audit_chain_repair() returns bigint
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
    perform pg_advisory_xact_lock(7364003, hashtext(current_schema()));
    bad := audit_chain_first_misordered_seal();
    if bad is null then
        return 0;
    end if;
    select s.first_seq + cardinality(s.entry_ids) - 1, substring(s.entry_hashes from length(s.entry_hashes) - 31)
      into head_seq, head_hash
      from audit_seal s order by s.seq desc limit 1;
    select count(*), sum(cardinality(s.entry_ids)) into removed, positions from audit_seal s where s.seq >= bad;
    ms := (extract(epoch from clock_timestamp()) * 1000)::bigint;
    for i in 1..10 loop
        ulid := substr(alphabet, (ms % 32)::int + 1, 1) || ulid;
        ms := ms / 32;
    end loop;
    for i in 1..16 loop
        ulid := ulid || substr(alphabet, floor(random() * 32)::int + 1, 1);
    end loop;
    repair_id := 'aud_' || ulid;
    insert into audit_seal_superseded (seq, first_seq, last_xid, last_id, prev_hash, entry_ids, entry_hashes, sealed_at,
                                       superseded_by, key_id, signature, entry_tags)
    select s.seq, s.first_seq, s.last_xid, s.last_id, s.prev_hash, s.entry_ids, s.entry_hashes, s.sealed_at,
           repair_id, s.key_id, s.signature, s.entry_tags
    from audit_seal s where s.seq >= bad;
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

-- The policy that applied to a request, as the decider read it: its revision (0: the namespace had
-- none, the built-in default applied) and the SHA-256 of its stored text. Null for older requests.
alter table approval_request
    add column policy_revision integer,
    add column policy_sha256 bytea;

-- One signed receipt per ended request, written in the transaction that ended it. No foreign key:
-- a receipt outlives the request's retention. namespace and requester_id are kept so that who may
-- read it is still the access model's answer once the request row is gone.
create table approval_receipt (
    request_id   text collate "C" primary key,
    namespace    text not null,
    requester_id text not null,
    outcome      text not null,
    payload      text not null,         -- the exact JSON text that was signed; never re-serialized
    key_id       text not null,
    signature    bytea not null,
    created_at   timestamptz not null
);
