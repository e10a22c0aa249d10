-- A policy's approvers are principal ids only (issue 11, finding 6). Entries stored before named
-- principals by id or by name. Rewrite each name that belongs to an enabled approver or admin to
-- that principal's id (names are unique, so this is unambiguous), dropping a duplicate this
-- creates. Everything else stays as written and matches nobody: the access model matches ids of
-- approvers and admins only, so an unknown name can never designate a principal created later,
-- and an agent's id designates no one. A policy left naming nobody valid leaves its requests to be
-- cancelled, never approved by the wrong principal; an admin re-PUTs it with valid ids.
update namespace_policy np
set document = jsonb_set(cast(np.document as jsonb), '{approvers}', (
        select jsonb_agg(to_jsonb(resolved) order by first_seen)
        from (
            select coalesce(
                       (select p.id from principal p
                        where p.name = a.entry and p.role in ('approver', 'admin') and p.disabled = false
                          and not exists (select 1 from principal q where q.id = a.entry)),
                       a.entry) as resolved,
                   min(a.ord) as first_seen
            from jsonb_array_elements_text(cast(np.document as jsonb) -> 'approvers') with ordinality as a(entry, ord)
            group by 1
        ) entries))::text
where jsonb_typeof(cast(np.document as jsonb) -> 'approvers') = 'array'
  and jsonb_array_length(cast(np.document as jsonb) -> 'approvers') > 0;
