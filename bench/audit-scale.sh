#!/usr/bin/env bash
# Audit trail at scale (issue 15, part 1). Prints figures; not a timed test. From the repository root:
#
#     bash bench/audit-scale.sh                 # 50 million entries (hours on a small machine)
#     AUDIT_N=2000000 bash bench/audit-scale.sh # a quick check
#
# 1. Starts the packaged jar (built when missing) on a throw-away database (AUDIT_DB, default
#    ass_audit_scale; dropped before and after) and sets up an agent, a secret and a token, as run.sh.
#    The sealing horizon is the cluster's: while the fill's long transactions run, every service on
#    this PostgreSQL seals later. Run it on an otherwise idle cluster.
# 2. Stops the service, fills audit_entry with AUDIT_N entries from the start of the UTC day AUDIT_DAYS
#    (default 7) days ago until now (bench/audit-fill.sql: generate_series, a realistic spread of
#    actors, namespaces, actions and outcomes), starts it again and times its own sealer sealing them
#    all (signed seals: only the service can).
# 3. Prints: p50/p99 of each GET /v1/audit filter (AUDIT_SAMPLES sequential requests each, values
#    varied per request), verify throughput and time for the whole chain, the sealing lag (age of the
#    oldest unsealed entry, sampled every second) while bench/read.lua drives secret reads at full rate,
#    disk per million entries, and the time to export and drop the oldest day partition (the service
#    restarted with ASS_AUDIT_RETENTION set so that exactly that day is expired), then verifies the
#    chain left in the database again and checks the archive offline with the Python SDK's verify-archive.
#
# Knobs: AUDIT_N, AUDIT_DAYS, AUDIT_CHUNK (rows per fill transaction, 100000), AUDIT_SAMPLES (100),
# AUDIT_READ_DURATION (30s), BENCH_CONNECTIONS (32), AUDIT_PORT (first port tried, 18770), AUDIT_DB, AUDIT_KEEP (1: keep the database and its keys at the end),
# AUDIT_REUSE (1: measure a kept database again, e.g. after a change: no fill, no sealing catch-up; the export
# still drops its oldest day), AUDIT_EXPORT (0: no export and drop), AUDIT_VERIFY_AFTER_DROP (0: skip the second
# whole-chain verify after the drop), BENCH_JAVA_OPTS. Service log: target/audit-scale-service.log; raw output in target/audit-scale/.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"
cd "$ROOT"

N=${AUDIT_N:-50000000}
DAYS=${AUDIT_DAYS:-7}
CHUNK=${AUDIT_CHUNK:-100000}
SAMPLES=${AUDIT_SAMPLES:-100}
READ_DURATION=${AUDIT_READ_DURATION:-30s}
CONNS=${BENCH_CONNECTIONS:-32}
PORT=${AUDIT_PORT:-18770}
DB=${AUDIT_DB:-ass_audit_scale}
KEEP=${AUDIT_KEEP:-0}
REUSE=${AUDIT_REUSE:-0}
EXPORT_DROP=${AUDIT_EXPORT:-1}
VERIFY_AFTER_DROP=${AUDIT_VERIFY_AFTER_DROP:-1}
SCHEMA=ass
JAVA_OPTS=${BENCH_JAVA_OPTS--XX:+UseParallelGC}
JAR=target/quarkus-app/quarkus-run.jar
LOG=target/audit-scale-service.log
OUT=target/audit-scale
EXPORT="$ROOT/$OUT/archive"
export PGHOST=127.0.0.1 PGUSER=postgres PGOPTIONS='-c client_min_messages=warning' BENCH_DIR

say() { printf '%s\n' "$*"; }
step() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'audit-scale: %s\n' "$*" >&2; exit 1; }
sql() { PGOPTIONS="$PGOPTIONS -c search_path=$SCHEMA" psql -d "$DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
now_ms() { date +%s%3N; }

svc_pid=""
wrk_pid=""
cleaned=0
stop_service() {
  if [ -n "$svc_pid" ] && kill -0 "$svc_pid" 2>/dev/null; then
    kill "$svc_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$svc_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$svc_pid" 2>/dev/null && kill -9 "$svc_pid" 2>/dev/null || true
    wait "$svc_pid" 2>/dev/null || true
  fi
  svc_pid=""
}
cleanup() {
  [ "$cleaned" = 1 ] && return
  cleaned=1
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
  stop_service
  if [ "$KEEP" = 1 ]; then
    say "audit-scale: kept database $DB (AUDIT_KEEP=1)"
    return
  fi
  psql -d postgres -qAtX -c "drop database if exists $DB with (force)" >/dev/null 2>&1 || say "audit-scale: could not drop database $DB" >&2
}
trap cleanup EXIT
trap 'echo "audit-scale: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$OUT"
rm -rf "$EXPORT"
if [ ! -f "$JAR" ]; then
  step "building the packaged app"
  timeout 900 ./mvnw -q package -DskipTests || die "build failed"
fi
for tool in wrk psql curl jq java python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 9); do port_in_use "$PORT" || break; PORT=$((PORT + 1)); done
port_in_use "$PORT" && die "no free port found"
BASE="http://127.0.0.1:$PORT"

random_alnum() { local s=""; while [ ${#s} -lt "$1" ]; do s+=$(head -c 512 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9'); done; printf '%s' "${s:0:$1}"; }
KEYS="$OUT/keys-$DB.env"
if [ "$REUSE" = 1 ]; then
  [ -f "$KEYS" ] || die "AUDIT_REUSE=1: no kept database $DB (run with AUDIT_KEEP=1 first)"
  # shellcheck disable=SC1090
  . "$KEYS"
  KEEP=1
else
  ADMIN_KEY="ass_$(random_alnum 43)"
  MASTER_KEY=$(head -c 32 /dev/urandom | base64 -w0)
fi

start_service() { # extra environment as arguments (NAME=value ...)
  step "starting $JAR on $BASE (database $DB)"
  # shellcheck disable=SC2086
  env "$@" ASS_MASTER_KEY="$MASTER_KEY" ASS_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" ASS_DB_SCHEMA="$SCHEMA" \
    ASS_AUDIT_EXPORT_DIR="$EXPORT" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$PORT" \
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
    java $JAVA_OPTS -jar "$JAR" >>"$LOG" 2>&1 &
  svc_pid=$!
  for _ in $(seq 1 360); do
    curl -sf --max-time 2 "$BASE/q/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$svc_pid" 2>/dev/null || { tail -n 40 "$LOG" >&2; die "the service exited during start-up"; }
    sleep 0.5
  done
  tail -n 40 "$LOG" >&2
  die "the service was not ready within 180 s"
}
api() { # method path key [body]
  local method=$1 path=$2 key=$3 body=${4:-} res code
  local args=(-sS --max-time 3600 -X "$method" "$BASE$path" -H "Authorization: Bearer $key" -w '\n%{http_code}')
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  res=$(curl "${args[@]}") || die "$method $path: request failed"
  code=${res##*$'\n'}
  res=${res%$'\n'*}
  case "$code" in 2??) printf '%s' "$res" ;; *) die "$method $path: HTTP $code: $res" ;; esac
}
# Age in seconds of the oldest entry not sealed yet (0 when all are sealed).
LAG_SQL="select coalesce(extract(epoch from clock_timestamp() - min(e.recorded_at)), 0)::numeric(10,2) from audit_entry e
  where (e.xid, e.id) > (select x, i from (select last_xid as x, last_id as i from audit_seal
                         union all select last_xid, last_id from audit_archive
                         union all select '0'::xid8, '') c order by x desc, i desc limit 1)"
UNSEALED_SQL="select count(*) from audit_entry e where (e.xid, e.id) > (select x, i from (select last_xid as x, last_id as i
  from audit_seal union all select '0'::xid8, '') c order by x desc, i desc limit 1)"

: >"$LOG"
if [ "$REUSE" = 1 ]; then
  start_service
  step "reusing database $DB: $(sql "select count(*) from audit_entry") entries"
  fill_s="(reused)"; sealed_total=0; seal_ms=0; seal_rate="-"
else
psql -d postgres -qAtX -c "drop database if exists $DB with (force)"
psql -d postgres -qAtX -c "create database $DB"
start_service

# ---------------------------------------------------------------------------------------------
step "set-up: an agent and a secret (for the read load)"
AGENT_KEY=$(api POST /v1/principals "$ADMIN_KEY" \
  "{\"name\":\"scale-agent-$(random_alnum 6)\",\"role\":\"agent\",\"namespaces\":[\"bench\"]}" | jq -er .api_key)
api PUT /v1/secrets/bench/service/url "$ADMIN_KEY" '{"value":"https://service.bench.internal/x"}' >/dev/null

# ---------------------------------------------------------------------------------------------
stop_service
step "filling audit_entry with $N entries over $DAYS days ($CHUNK per transaction), the service stopped"
t0=$(now_ms)
PGOPTIONS="$PGOPTIONS -c search_path=$SCHEMA" psql -d "$DB" -qAtX -v ON_ERROR_STOP=1 -v n="$N" -v days="$DAYS" -v chunk="$CHUNK" \
  -f "$BENCH_DIR/audit-fill.sql" >/dev/null
fill_s=$(( ($(now_ms) - t0) / 1000 ))
step "filled in ${fill_s}s"
start_service
step "the service's sealer is sealing"
t0=$(now_ms)
while :; do
  left=$(sql "$UNSEALED_SQL")
  [ "$left" = 0 ] && break
  kill -0 "$svc_pid" 2>/dev/null || die "the service died while sealing"
  sleep 2
done
seal_ms=$(( $(now_ms) - t0 ))
total=$(sql "select count(*) from audit_entry")
seal_rate=$(( total * 1000 / (seal_ms > 0 ? seal_ms : 1) ))
sealed_total=$total
step "sealed $total entries in $((seal_ms / 1000))s ($seal_rate entries/s)"
sql "vacuum analyze audit_entry" >/dev/null
if [ "$KEEP" = 1 ]; then
  printf 'ADMIN_KEY=%q\nMASTER_KEY=%q\nAGENT_KEY=%q\n' "$ADMIN_KEY" "$MASTER_KEY" "$AGENT_KEY" >"$KEYS"
  chmod 600 "$KEYS"
fi
fi

# ---------------------------------------------------------------------------------------------
# p50/p99 of each filter: sequential requests as admin, a different value each time.
mapfile -t ACTORS < <(sql "select actor_id from (select actor_id, count(*) from audit_entry where actor_id like 'prn_agent_00%' group by 1) s order by random() limit 20")
mapfile -t RARE_ACTORS < <(sql "select 'prn_agent_' || lpad(g::text, 4, '0') from generate_series(1900, 1999) g order by random() limit 20")
mapfile -t BUSY_NS < <(sql "select 'ns-' || lpad(g::text, 3, '0') from generate_series(0, 9) g")
mapfile -t QUIET_NS < <(sql "select 'ns-' || lpad(g::text, 3, '0') from generate_series(150, 199) g order by random() limit 20")
mapfile -t PATHS < <(sql "select 'ns-' || lpad((g % 200)::text, 3, '0') || '/service-' || (g % 50) || '/key' from generate_series(1, 20) g")
pick() { local -n arr=$1; printf '%s' "${arr[RANDOM % ${#arr[@]}]}"; }
hour_ago() { date -u -d "@$(( $(date +%s) - $1 * 3600 ))" +%Y-%m-%dT%H:00:00Z; }
filter_query() { # name -> query string
  case "$1" in
    none) echo "" ;;
    actor_busy) echo "actor=$(pick ACTORS)" ;;
    actor_rare) echo "actor=$(pick RARE_ACTORS)" ;;
    namespace_busy) echo "namespace=$(pick BUSY_NS)" ;;
    namespace_quiet) echo "namespace=$(pick QUIET_NS)" ;;
    path) echo "path=$(pick PATHS)" ;;
    action) echo "action=secret.write" ;;
    action_prefix) echo "action=approval.*" ;;
    outcome) echo "outcome=denied" ;;
    time_window) local h=$(( (RANDOM % (DAYS * 24 - 2)) + 2 )); echo "from=$(hour_ago "$h")&to=$(hour_ago $((h - 1)))" ;;
    namespace_action) echo "namespace=$(pick BUSY_NS)&action=secret.read" ;;
    namespace_outcome) echo "namespace=$(pick QUIET_NS)&outcome=denied" ;;
    page_3) echo "page" ;;
  esac
}
FILTERS=(none actor_busy actor_rare namespace_busy namespace_quiet path action action_prefix outcome time_window namespace_action namespace_outcome page_3)
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; if (i>NR) i=NR; printf "%.1f", a[i]}'; }
declare -A P50 P99
step "GET /v1/audit: $SAMPLES requests per filter"
for f in "${FILTERS[@]}"; do
  : >"$OUT/lat-$f.txt"
  for _ in $(seq 1 "$SAMPLES"); do
    q=$(filter_query "$f")
    if [ "$q" = page ]; then
      # the third page of the busiest namespace, following next_cursor
      c=$(curl -sf --max-time 60 -H "Authorization: Bearer $ADMIN_KEY" "$BASE/v1/audit?namespace=ns-000&limit=50" | jq -r .next_cursor)
      c=$(curl -sf --max-time 60 -H "Authorization: Bearer $ADMIN_KEY" "$BASE/v1/audit?namespace=ns-000&limit=50&cursor=$c" | jq -r .next_cursor)
      q="namespace=ns-000&cursor=$c"
    fi
    curl -s -o /dev/null --max-time 60 -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $ADMIN_KEY" \
      "$BASE/v1/audit?limit=50&$q" >>"$OUT/lat-$f.txt"
  done
  grep -qv '^200 ' "$OUT/lat-$f.txt" && die "filter $f: a request did not answer 200 ($(grep -v '^200 ' "$OUT/lat-$f.txt" | head -1))"
  P50[$f]=$(awk '{print $2 * 1000}' "$OUT/lat-$f.txt" | percentile 50)
  P99[$f]=$(awk '{print $2 * 1000}' "$OUT/lat-$f.txt" | percentile 99)
  say "  $f: p50 ${P50[$f]} ms, p99 ${P99[$f]} ms"
done

# ---------------------------------------------------------------------------------------------
step "sealing lag while wrk reads at full rate ($CONNS connections, $READ_DURATION)"
TOKEN=$(api POST /v1/tokens "$AGENT_KEY" '{"scope":"secrets:read:bench/service/*","ttl_seconds":3600,"description":"scale"}' \
  | jq -er .value)
export BENCH_AGENT_KEY=$AGENT_KEY BENCH_TOKEN=$TOKEN
wrk -t2 -c"$CONNS" -d"$READ_DURATION" --latency -s "$BENCH_DIR/read.lua" "$BASE/v1/secrets/bench/service/url" >"$OUT/wrk-read.txt" 2>&1 &
wrk_pid=$!
: >"$OUT/lag.txt"
while kill -0 "$wrk_pid" 2>/dev/null; do sql "$LAG_SQL" >>"$OUT/lag.txt"; sleep 1; done
wait "$wrk_pid" || true
wrk_pid=""
read_rps=$(awk '/^Requests\/sec/ {printf "%d", $2}' "$OUT/wrk-read.txt")
read_p99=$(awk '/ 99%/ {print $2}' "$OUT/wrk-read.txt")
lag_p50=$(percentile 50 <"$OUT/lag.txt")
lag_max=$(sort -n "$OUT/lag.txt" | tail -1)
say "  reads: $read_rps req/s (p99 $read_p99); sealing lag p50 ${lag_p50}s, max ${lag_max}s"

# ---------------------------------------------------------------------------------------------
step "verify: the whole chain"
t0=$(now_ms)
verify=$(api GET /v1/audit/verify "$ADMIN_KEY")
verify_ms=$(( $(now_ms) - t0 ))
[ "$(jq -r .valid <<<"$verify")" = true ] || die "verify says the chain is not valid: $verify"
checked=$(jq -r .checked <<<"$verify")
verify_rate=$(( checked * 1000 / (verify_ms > 0 ? verify_ms : 1) ))
say "  $checked entries in $((verify_ms / 1000)).$(( (verify_ms % 1000) / 100 ))s: $verify_rate entries/s"

# ---------------------------------------------------------------------------------------------
bytes=$(sql "select sum(pg_total_relation_size(relid)) from pg_partition_tree('audit_entry')")
seal_bytes=$(sql "select pg_total_relation_size('audit_seal')")
total=$(sql "select count(*) from audit_entry")
per_m=$(( bytes * 1000000 / total / 1048576 ))
seal_per_m=$(( seal_bytes * 1000000 / total / 1048576 ))
say "  disk: audit_entry $((bytes / 1048576)) MB for $total entries: $per_m MB per million (+ $seal_per_m MB of seals)"

# ---------------------------------------------------------------------------------------------
if [ "$EXPORT_DROP" = 0 ]; then
  oldest="(skipped: AUDIT_EXPORT=0)"; archived="-"; export_s="-"; drop_s="-"; offline_s="-"
else
oldest=$(sql "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'audit_entry'::regclass and c.relname like 'audit\_entry\_p%' order by c.relname limit 1")
oldest_rows=$(sql "select count(*) from $oldest")
# A retention in whole hours that the oldest day lies wholly beyond and the next day does not.
hours=$(( ($(date +%s) - $(date -u -d "${oldest#audit_entry_p} + 1 day" +%s)) / 3600 ))
[ "$hours" -ge 1 ] || die "$oldest ends less than an hour ago: nothing to export yet"
step "export and drop: restarting with ASS_AUDIT_RETENTION=${hours}h ($oldest, $oldest_rows entries, is past it)"
stop_service
start_service ASS_AUDIT_RETENTION="${hours}h" ASS_AUDIT_MAINTENANCE_INTERVAL=5s
for _ in $(seq 1 7200); do
  # The log line, not the audit_archive row: the row commits just before the line is written.
  grep -q "Dropped audit partition $oldest" "$LOG" && break
  kill -0 "$svc_pid" 2>/dev/null || die "the service died while archiving"
  sleep 0.5
done
[ "$(sql "select count(*) from audit_archive where partition_name = '$oldest'")" = 1 ] || die "$oldest was not archived"
ms_of() { grep "$1 audit partition $oldest" "$LOG" | tail -1 | sed -E 's/^[0-9-]+ ([0-9:]+),([0-9]+).*/\1 \2/' \
  | awk '{split($1, t, ":"); print ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + $2}'; }
a=$(ms_of Archiving); e=$(ms_of Exported); d=$(ms_of Dropped)
export_s=$(awk -v a="$a" -v e="$e" 'BEGIN {printf "%.1f", (e - a) / 1000}')
drop_s=$(awk -v e="$e" -v d="$d" 'BEGIN {printf "%.1f", (d - e) / 1000}')
file=$(sql "select file_name from audit_archive where partition_name = '$oldest'")
archived=$(sql "select entries from audit_archive where partition_name = '$oldest'")
file_mb=$(( $(stat -c %s "$EXPORT/$file") / 1048576 ))
say "  $oldest: exported $archived entries ($file_mb MB gzip) in ${export_s}s, dropped in ${drop_s}s"
if [ "$VERIFY_AFTER_DROP" = 1 ]; then
  t1=$(now_ms)
  verify=$(api GET /v1/audit/verify "$ADMIN_KEY")
  [ "$(jq -r .valid <<<"$verify")" = true ] || die "verify after the drop says the chain is not valid: $verify"
  say "  verify after the drop: valid, $(jq -r .checked <<<"$verify") entries in $(( ($(now_ms) - t1) / 1000 ))s"
fi
api GET /v1/audit/public-key "$ADMIN_KEY" >"$OUT/public-key.json"
t1=$(now_ms)
PYTHONPATH="$ROOT/clients/python/src" python3 -m agentsecretstore verify-archive "$EXPORT/$file" --keys "$OUT/public-key.json" \
  | tee "$OUT/verify-archive.txt" | sed 's/^/  /'
offline_s=$(awk -v ms="$(( $(now_ms) - t1 ))" 'BEGIN {printf "%.1f", ms / 1000}')
fi

# ---------------------------------------------------------------------------------------------
say ""
say "Audit at scale: $total entries over $DAYS days, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %10s %10s\n' "GET /v1/audit filter" "p50 ms" "p99 ms"
for f in "${FILTERS[@]}"; do printf '%-22s %10s %10s\n' "$f" "${P50[$f]}" "${P99[$f]}"; done
say "fill (SQL)              ${fill_s}s"
say "sealing (catch-up)      $sealed_total entries in $((seal_ms / 1000))s after a restart: $seal_rate entries/s"
say "verify, whole chain     ${checked} entries in $((verify_ms / 1000))s: $verify_rate entries/s"
say "sealing lag under reads p50 ${lag_p50}s, max ${lag_max}s at $read_rps reads/s (p99 $read_p99)"
say "disk per million        $per_m MB audit_entry (+ $seal_per_m MB audit_seal)"
say "export + drop           $oldest ($archived entries): export ${export_s}s, drop ${drop_s}s; offline verify-archive ${offline_s}s"
