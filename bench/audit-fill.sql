-- Fills audit_entry of the current schema (search_path) with :n entries spread evenly from the start
-- of the UTC day :days days ago until now (so the oldest day partition is a whole day), in chunks of
-- :chunk rows (one transaction, so one xid, each). Realistic spread, skewed like a real deployment:
-- 2,000 agents, 50 approvers, 3 admins; 200 namespaces (a few busy, most quiet); mostly secret reads;
-- about 2.5 % denied and 0.5 % failed; the service's own action names. ids are made as the service
-- makes them (common.Ids, audit.AuditLog): "aud_", the entry's recorded_at in milliseconds as 10
-- Crockford base32 digits, then 16 random ones (here: hex digits, a subset). Used by audit-scale.sh.
create function pg_temp.ulid_time(ms bigint) returns text language sql immutable as $$
    select substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 45) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 40) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 35) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 30) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 25) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 20) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 15) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 10) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 5) & 31)::int + 1, 1)
        || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (ms & 31)::int + 1, 1)
$$;

select format('create table if not exists %I partition of audit_entry for values from (%L) to (%L)',
              'audit_entry_p' || to_char(d, 'YYYYMMDD'), d::timestamp at time zone 'UTC', (d + 1)::timestamp at time zone 'UTC')
from (select (now() at time zone 'UTC')::date - k as d from generate_series(0, :days) k) days
\gexec

select format($f$
insert into audit_entry (id, recorded_at, action, outcome, actor_id, actor_name, actor_role, namespace, path, target_id, source_ip, details)
select 'aud_' || pg_temp.ulid_time(floor(extract(epoch from t) * 1000)::bigint) || upper(substr(md5(g::text || random()::text), 1, 16)),
       t, a.action, o.outcome, p.actor_id, p.actor_id, p.role, ns, ns || '/service-' || (g %% 50) || '/key',
       case when a.action like 'approval.%%' then 'apr_' || md5(g::text) else 'tok_' || substr(md5(g::text), 1, 20) end,
       '10.' || (g %% 200) || '.' || (g %% 7) || '.' || (g %% 250),
       '{"token_id":"tok_' || substr(md5((g * 7)::text), 1, 20) || '","scope":"secrets:read"}'
from (select g, date_trunc('milliseconds', d0 + (g::float8 / %1$s) * (now() - d0)) as t,
             'ns-' || lpad(floor(200 * power(random(), 3))::int::text, 3, '0') as ns, random() as ra, random() as ro, random() as rp
      from generate_series(%2$s, %3$s) g, (select ((now() at time zone 'UTC')::date - %4$s)::timestamp at time zone 'UTC' as d0) d) s
cross join lateral (select case when ra < 0.85 then 'secret.read' when ra < 0.93 then 'token.issue'
                                when ra < 0.955 then 'approval.approve' when ra < 0.97 then 'approval.request'
                                when ra < 0.99 then 'secret.write' else 'principal.update' end as action) a
cross join lateral (select case when ro < 0.97 then 'success' when ro < 0.995 then 'denied' else 'failure' end as outcome) o
cross join lateral (select case when rp < 0.9 then 'prn_agent_' || lpad(floor(2000 * power(random(), 2))::int::text, 4, '0')
                                when rp < 0.995 then 'prn_approver_' || lpad(floor(50 * random())::int::text, 2, '0')
                                else 'prn_admin_' || floor(3 * random())::int end as actor_id,
                           case when rp < 0.9 then 'agent' when rp < 0.995 then 'approver' else 'admin' end as role) p
$f$, :n, i * :chunk, least((i + 1) * :chunk, :n) - 1, :days)
from generate_series(0, (:n - 1) / :chunk) i
\gexec
analyze audit_entry;
