-- Each version keeps the strictest tier it ever had (issue 11.7): lowering a secret's tier must not
-- open its older versions to the lower tier. The service raises older versions whenever a write
-- raises the tier, so for every version: tier >= the tier of every later version.
alter table secret_version add column tier text check (tier in ('standard', 'sensitive', 'critical'));

-- Backfill from history: the tier each version was written at is in its secret.write audit entry.
-- The current version's tier is the secret's. An older version with no such entry gets critical:
-- its history is unknown, so it is readable only at the strictest tier.
with written as (
    select path, (details::jsonb ->> 'version')::int as version,
           max(case details::jsonb ->> 'tier' when 'critical' then 3 when 'sensitive' then 2 when 'standard' then 1 end) as rank
    from audit_entry
    where action = 'secret.write' and outcome = 'success' and details like '%"version"%'
    group by 1, 2
), own as (
    select v.path, v.version,
           greatest(w.rank,
                    case when v.version = s.current_version
                         then case s.tier when 'critical' then 3 when 'sensitive' then 2 else 1 end end,
                    case when w.rank is null and v.version <> s.current_version then 3 end) as rank
    from secret_version v
    join secret s on s.path = v.path
    left join written w on w.path = v.path and w.version = v.version
), strictest as (
    select path, version,
           max(rank) over (partition by path order by version desc rows between unbounded preceding and current row) as rank
    from own
)
update secret_version v
set tier = case st.rank when 3 then 'critical' when 2 then 'sensitive' else 'standard' end
from strictest st
where st.path = v.path and st.version = v.version;

update secret_version set tier = 'critical' where tier is null;
-- A row written without a tier (not by the service) is readable only at the strictest tier.
alter table secret_version alter column tier set default 'critical', alter column tier set not null;
