-- GET /v1/audit with outcome=denied (or failure) and a namespace or an actor: the outcome index alone
-- finds every denial of the table and the namespace index every entry of the namespace, and a plan that
-- intersects them grows with the table. These hold only the few unsuccessful entries, in the order a
-- page is read (newest first by id), so such a page costs what any other page costs at any size.
create index audit_entry_namespace_id_unsuccessful on audit_entry (namespace, id) where outcome <> 'success';
create index audit_entry_actor_id_unsuccessful on audit_entry (actor_id, id) where outcome <> 'success';
