-- Agents on Kubernetes authenticate with their pod's projected service-account token (issue 13.1).
-- An admin binds "<namespace>/<service-account>" to one agent principal; the primary key makes a
-- service account name at most one principal, across all of them. Bindings go with their principal.
create table kubernetes_service_account (
    account      text primary key,
    principal_id text not null references principal (id) on delete cascade,
    created_at   timestamptz not null
);
create index kubernetes_service_account_principal on kubernetes_service_account (principal_id);
