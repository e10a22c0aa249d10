-- Agents on Kubernetes authenticate with their pod's projected service-account token (issue 13.1).
-- An admin binds "<namespace>/<service-account>" to one agent principal; the primary key makes a
-- service account name at most one principal, across all of them. Bindings go with their principal.
create table kubernetes_service_account (
    account      text primary key,
    principal_id text not null references principal (id) on delete cascade,
    created_at   timestamptz not null
);
create index kubernetes_service_account_principal on kubernetes_service_account (principal_id);

-- Feeds and long-polls opened with a service-account token end when the binding goes or moves
-- (principal.auth.CredentialWatch), like those opened with a revoked key (V12's function).
create trigger kubernetes_service_account_credential_change
    after update or delete on kubernetes_service_account
    for each row execute function notify_credential_change('principal_id');
