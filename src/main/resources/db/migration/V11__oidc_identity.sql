-- People who sign in through the organisation's identity provider: each (issuer, subject) is one
-- principal, created on first sign-in or linked by an admin. Only people (admins and approvers)
-- have an identity at the provider; agents authenticate with API keys alone.
alter table principal
    add column oidc_issuer  text,
    add column oidc_subject text,
    add constraint principal_oidc_identity unique (oidc_issuer, oidc_subject),
    add constraint principal_oidc_pair check ((oidc_issuer is null) = (oidc_subject is null)),
    add constraint principal_oidc_people check (oidc_issuer is null or role in ('admin', 'approver'));
