-- Feeds and long-polls stay open for minutes on the identity they were authenticated with. When a
-- key is revoked or a principal disabled or changed (on any replica, or by hand in SQL), every
-- replica must hear of it at once and end those requests (issue 11.5). These triggers send a
-- NOTIFY on commit, on a channel per schema like the event channel; the payload is only the
-- principal id (the trigger's argument names its column), and the listener re-reads the rows
-- (principal.auth.CredentialWatch). Updates that touch neither column list (last_used_at, email)
-- send nothing.
create function notify_credential_change() returns trigger language plpgsql as $$
declare
    changed record;
begin
    if tg_op = 'DELETE' then
        changed := old;
    else
        changed := new;
    end if;
    perform pg_notify('ass_credentials_' || tg_table_schema, to_jsonb(changed) ->> tg_argv[0]);
    return null;
end
$$;

create trigger api_key_credential_change
    after update of revoked_at or delete on api_key
    for each row execute function notify_credential_change('principal_id');

create trigger principal_credential_change
    after update of disabled, role, namespaces or delete on principal
    for each row execute function notify_credential_change('id');
