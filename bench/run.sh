#!/usr/bin/env bash
# Benchmark (prints figures; not a timed test). Usage, from the repository root:
#
#     bash bench/run.sh
#
# Starts the packaged jar (building it when missing) on 127.0.0.1 against the local PostgreSQL in
# its own schema, drives (a) standard token requests, (b) secret reads and (c) the same reads
# authenticated with a Kubernetes service-account token instead of the API key (a local stand-in
# issuer, bench/k8s_issuer.py, serves the keys) with wrk at 32 connections, then measures the ceiling PostgreSQL itself sets on this machine (pgbench -S, and
# pgbench inserting one audit-sized row per transaction) and prints everything in one table.
# All traffic goes to 127.0.0.1. Takes about four minutes; cleans up after itself even on failure.
#
# Knobs (environment): BENCH_PORT (first port tried, default 18282), BENCH_DURATION (default 20s),
# BENCH_WARMUP (default 20s), BENCH_CONNECTIONS (default 32), BENCH_PG_DURATION (seconds, default 20),
# BENCH_JAVA_OPTS (JVM options for the service; default -XX:+UseParallelGC, as src/main/docker/Dockerfile.jvm
# runs it), BENCH_PGBENCH=0 (skip the pgbench part),
# BENCH_WAIT_QUIET=N (first wait up to N s for the 1-minute load average to drop below 1),
# BENCH_SCHEMA (the service's schema, default ass_bench).
# Any QUARKUS_* / ASS_* runtime setting in the environment reaches the service, e.g.
# QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE=8 bash bench/run.sh
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"
cd "$ROOT"

PORT=${BENCH_PORT:-18282}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-20s}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=2
JAVA_OPTS=${BENCH_JAVA_OPTS--XX:+UseParallelGC}
PG_SECONDS=${BENCH_PG_DURATION:-20}
PG_CLIENTS=8
PG_JOBS=2
SCHEMA=${BENCH_SCHEMA:-ass_bench}
PGDB=ass_pgbench
APP_NAME=ass-bench
JAR=target/quarkus-app/quarkus-run.jar
LOG=target/bench-service.log
OUT=target/bench
PGHOST=127.0.0.1
PGUSER=postgres
export PGHOST PGUSER
export PGOPTIONS='-c client_min_messages=warning'
export BENCH_DIR

say() { printf '%s\n' "$*"; }
step() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
sql() { psql -d "${SQL_DB:-postgres}" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

# ---------------------------------------------------------------------------------------------
# Cleanup: stop the service, drop the schema and the pgbench database, whatever happened.
svc_pid=""
issuer_pid=""
cleaned=0
stop_service() {
  if [ -n "$svc_pid" ] && kill -0 "$svc_pid" 2>/dev/null; then
    kill "$svc_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$svc_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$svc_pid" 2>/dev/null && kill -9 "$svc_pid" 2>/dev/null || true
    wait "$svc_pid" 2>/dev/null || true
  fi
  svc_pid=""
}
cleanup() {
  [ "$cleaned" = 1 ] && return
  cleaned=1
  stop_service
  [ -n "$issuer_pid" ] && kill "$issuer_pid" 2>/dev/null || true
  sql "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1 || say "bench: could not drop schema $SCHEMA" >&2
  sql "drop database if exists $PGDB with (force)" >/dev/null 2>&1 || say "bench: could not drop database $PGDB" >&2
}
trap cleanup EXIT
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$OUT"
if [ "${BENCH_WAIT_QUIET:-0}" -gt 0 ]; then # the machine is shared: wait (bounded) for the 1-min load to drop below 1
  step "waiting up to ${BENCH_WAIT_QUIET}s for a quiet machine (load $(cut -d' ' -f1 /proc/loadavg))"
  end=$((SECONDS + BENCH_WAIT_QUIET))
  while [ $SECONDS -lt $end ] && ! awk '{ exit !($1 < 1.0) }' /proc/loadavg; do sleep 5; done
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
NCPU=$(nproc)
HZ=$(getconf CLK_TCK)

# ---------------------------------------------------------------------------------------------
# Prerequisites: the packaged jar, wrk, pgbench, a free port.
if [ ! -f "$JAR" ]; then
  step "building the packaged app (./mvnw -q package -DskipTests)"
  timeout 900 ./mvnw -q package -DskipTests || die "build failed"
fi
if ! command -v wrk >/dev/null; then
  step "installing wrk"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq wrk >/dev/null; } \
    || die "could not install wrk"
fi
for tool in pgbench psql curl jq java openssl python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
sql "select 1" >/dev/null || die "PostgreSQL is not reachable on 127.0.0.1:5432 as postgres"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 20); do port_in_use "$PORT" || break; PORT=$((PORT + 1)); done
port_in_use "$PORT" && die "no free port found"
BASE="http://127.0.0.1:$PORT"
ISSUER_PORT=$((PORT + 1))
for _ in $(seq 1 20); do port_in_use "$ISSUER_PORT" || break; ISSUER_PORT=$((ISSUER_PORT + 1)); done
ISSUER="http://127.0.0.1:$ISSUER_PORT"

# A stand-in cluster issuer (discovery + JWKS of a fresh RSA key) for the service-account reads.
ISSUER_KEY="$OUT/issuer-key.pem"
openssl genrsa -out "$ISSUER_KEY" 2048 2>/dev/null || die "openssl genrsa failed"
python3 "$BENCH_DIR/k8s_issuer.py" serve "$ISSUER_KEY" "$ISSUER" "$ISSUER_PORT" &
issuer_pid=$!

# ---------------------------------------------------------------------------------------------
# Start the service in its own schema.
sql "drop schema if exists $SCHEMA cascade"
sql "drop database if exists $PGDB with (force)"
random_alnum() { # $1 characters from [A-Za-z0-9]
  local s=""
  while [ ${#s} -lt "$1" ]; do s+=$(head -c 512 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9'); done
  printf '%s' "${s:0:$1}"
}
ADMIN_KEY="ass_$(random_alnum 43)"
MASTER_KEY=$(head -c 32 /dev/urandom | base64 -w0)

step "starting $JAR on $BASE (schema $SCHEMA, log $LOG)"
# application_name only tags the service's PostgreSQL connections, so their CPU can be measured.
# shellcheck disable=SC2086
ASS_MASTER_KEY="$MASTER_KEY" ASS_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" ASS_DB_SCHEMA="$SCHEMA" ASS_KUBERNETES_ISSUERS="$ISSUER" \
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$PORT" \
  java $JAVA_OPTS -Dquarkus.datasource.reactive.additional-properties.application_name=$APP_NAME \
  -jar "$JAR" >"$LOG" 2>&1 &
svc_pid=$!
ready=0
for _ in $(seq 1 180); do
  if curl -sf --max-time 2 "$BASE/q/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$svc_pid" 2>/dev/null || { tail -n 40 "$LOG" >&2; die "the service exited during start-up"; }
  sleep 0.5
done
[ "$ready" = 1 ] || { tail -n 40 "$LOG" >&2; die "the service was not ready within 90 s"; }

# ---------------------------------------------------------------------------------------------
# Set-up: an agent in namespace "bench", a standard-tier secret, a token for it.
api() { # method path key [body] -> body on stdout; fails on a non-2xx status
  local method=$1 path=$2 key=$3 body=${4:-}
  local args=(-sS --max-time 10 -X "$method" "$BASE$path" -H "Authorization: Bearer $key" -w '\n%{http_code}')
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  local res code
  res=$(curl "${args[@]}") || die "$method $path: request failed"
  code=${res##*$'\n'}
  res=${res%$'\n'*}
  case "$code" in 2??) printf '%s' "$res" ;; *) die "$method $path: HTTP $code: $res" ;; esac
}
SECRET_VALUE="https://service.bench.internal/$(random_alnum 16)"
AGENT_KEY=$(api POST /v1/principals "$ADMIN_KEY" \
  "{\"name\":\"bench-agent-$(random_alnum 6)\",\"role\":\"agent\",\"namespaces\":[\"bench\"]}" | jq -er .api_key) \
  || die "no api_key for the agent"
api PUT /v1/secrets/bench/service/url "$ADMIN_KEY" "{\"value\":\"$SECRET_VALUE\"}" >/dev/null
token_json=$(api POST /v1/tokens "$AGENT_KEY" \
  '{"scope":"secrets:read:bench/service/*","ttl_seconds":3600,"description":"benchmark"}')
[ "$(jq -r .status <<<"$token_json")" = approved ] || die "token request was not auto-approved: $token_json"
TOKEN=$(jq -er .value <<<"$token_json")
read_json=$(curl -sf --max-time 10 "$BASE/v1/secrets/bench/service/url" \
  -H "Authorization: Bearer $AGENT_KEY" -H "X-Secret-Token: $TOKEN") || die "reading the secret failed"
[ "$(jq -r .value <<<"$read_json")" = "$SECRET_VALUE" ] || die "the secret read returned another value"
AGENT_ID=$(api GET /v1/principals/me "$AGENT_KEY" | jq -er .id) || die "no id for the agent"
api PATCH "/v1/principals/$AGENT_ID" "$ADMIN_KEY" '{"kubernetes_service_accounts":["bench/bench-agent"]}' >/dev/null
SA_TOKEN=$(python3 "$BENCH_DIR/k8s_issuer.py" token "$ISSUER_KEY" "$ISSUER" bench bench-agent) || die "could not mint a token"
read_json=$(curl -sf --max-time 10 "$BASE/v1/secrets/bench/service/url" \
  -H "Authorization: Bearer $SA_TOKEN" -H "X-Secret-Token: $TOKEN") || die "reading with the service-account token failed"
[ "$(jq -r .value <<<"$read_json")" = "$SECRET_VALUE" ] || die "the service-account read returned another value"
export BENCH_AGENT_KEY=$AGENT_KEY BENCH_TOKEN=$TOKEN BENCH_SA_TOKEN=$SA_TOKEN
step "set-up done: agent (also bound to bench/bench-agent), secret bench/service/url, token for secrets:read:bench/service/*"

# ---------------------------------------------------------------------------------------------
# CPU accounting over a run: the service JVM, its PostgreSQL backends, wrk, and the whole machine.
proc_ticks() { # summed utime+stime of the given pids (ignores pids that are gone)
  local t=0 p f
  local -a a
  for p in "$@"; do
    f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    read -ra a <<<"${f##*) }"
    t=$((t + a[11] + a[12]))
  done
  echo "$t"
}
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
backend_pids() { sql "select pid from pg_stat_activity where application_name = '$APP_NAME'" | tr '\n' ' '; }
table_stats_settled() { # statistics reach the shared tables up to ~10 s late under contention
  local a b
  a=$(table_stats)
  for _ in $(seq 1 15); do sleep 1; b=$(table_stats); [ "$a" = "$b" ] && break; a=$b; done
  printf '%s\n' "$a"
}
table_stats() {
  sql "select relname || ' ' || (coalesce(seq_scan,0) + coalesce(idx_scan,0)) || ' ' || n_tup_ins || ' ' || n_tup_upd
       from pg_stat_user_tables where schemaname = '$SCHEMA' order by relname"
}
cores() { awk -v t="$1" -v hz="$HZ" -v s="$2" 'BEGIN { printf "%.2f", t / hz / s }'; }

declare -A BACKENDS RPS P50 P99 ERRS CPU_SVC CPU_PG CPU_WRK CPU_ALL CPU_OTHER PERREQ
# Every measured run, the service's and pgbench's alike, starts right after a CHECKPOINT. The bench
# writes max_wal_size's worth of WAL every two or three minutes, so a checkpoint (and the full-page
# writes after it) otherwise fell inside some runs and not others: one read run dropped to 7,636/s
# against 8,350-8,600/s in runs without. The warm-up is 20 s because after 5 s the C2 compiler, short
# of CPU on 2 cores, was still compiling the read path during the measured run (about 900
# compilations in its 20 s), and that set the read p99: 13-32 ms, against 10 ms after 20 s.
run_wrk() { # name script path
  local name=$1 script=$2 path=$3 out="$OUT/wrk-$1.txt"
  step "$name: warm-up $WARMUP, then wrk -t$THREADS -c$CONNS -d$DURATION --latency $path"
  timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" --timeout 10s -s "$BENCH_DIR/$script" "$BASE$path" >"$OUT/wrk-$name-warmup.txt" 2>&1 \
    || die "wrk warm-up failed: $(cat "$OUT/wrk-$name-warmup.txt")"
  local stats0 pids svc0 pg0 m0 t0 wrk_pid wrk0 wrk1=0 svc1 pg1 m1 t1 secs top_pid
  stats0=$(table_stats_settled)
  pids=$(backend_pids)
  svc0=$(proc_ticks "$svc_pid")
  # shellcheck disable=SC2086
  pg0=$(proc_ticks $pids)
  read -r m0 _ < <(machine_ticks)
  sql "checkpoint"
  step "$name: measuring"
  t0=$(date +%s.%N)
  (sleep 10; top -b -n1 -w 160 | head -n 20 >"$OUT/top-$name.txt") &
  top_pid=$!
  timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s "$BENCH_DIR/$script" "$BASE$path" >"$out" 2>&1 &
  wrk_pid=$!
  # wrk's own CPU, sampled just before it exits
  while kill -0 "$wrk_pid" 2>/dev/null; do
    local w; w=$(pgrep -P "$wrk_pid" -x wrk 2>/dev/null || true)
    [ -n "$w" ] && wrk1=$(proc_ticks "$w")
    sleep 0.5
  done
  wait "$wrk_pid" || die "wrk failed: $(cat "$out")"
  wait "$top_pid" 2>/dev/null || true
  t1=$(date +%s.%N)
  svc1=$(proc_ticks "$svc_pid")
  pids="$pids $(backend_pids)"
  # shellcheck disable=SC2086
  pg1=$(proc_ticks $(tr ' ' '\n' <<<"$pids" | sort -u))
  read -r m1 _ < <(machine_ticks)
  local stats1; stats1=$(table_stats_settled)
  BACKENDS[$name]=$(sql "select coalesce(string_agg(n || ' ' || s, ', '), 'none') from (select coalesce(state, '?') s, count(*) n
                         from pg_stat_activity where application_name = '$APP_NAME' group by 1 order by 1) x")
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

  local line; line=$(grep '^BENCH ' "$out") || die "no summary from wrk: $(cat "$out")"
  local requests dur p50 p99 errs
  requests=$(sed -E 's/.* requests=([0-9]+).*/\1/' <<<"$line")
  dur=$(sed -E 's/.* duration_us=([0-9]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.* p50_us=([0-9]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.* p99_us=([0-9]+).*/\1/' <<<"$line")
  errs=$(awk '{ s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^err_/) { split($i, a, "="); s += a[2] } print s }' <<<"$line")
  RPS[$name]=$(awk -v r="$requests" -v d="$dur" 'BEGIN { printf "%.1f", r / (d / 1e6) }')
  P50[$name]=$(awk -v u="$p50" 'BEGIN { printf "%.2f", u / 1000 }')
  P99[$name]=$(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')
  ERRS[$name]=$errs
  CPU_SVC[$name]=$(cores $((svc1 - svc0)) "$secs")
  CPU_PG[$name]=$(cores $((pg1 - pg0)) "$secs")
  CPU_WRK[$name]=$(cores "$wrk1" "$secs")
  CPU_ALL[$name]=$(cores $((m1 - m0)) "$secs")
  CPU_OTHER[$name]=$(cores $((m1 - m0 - (svc1 - svc0) - (pg1 - pg0) - wrk1)) "$secs")
  # Per request: table accesses (seq + index scans) and rows inserted/updated, from pg_stat_user_tables.
  PERREQ[$name]=$(LC_ALL=C join -a2 -e0 -o 2.1,1.2,1.3,1.4,2.2,2.3,2.4 <(LC_ALL=C sort <<<"$stats0") <(LC_ALL=C sort <<<"$stats1") \
    | awk -v n="$requests" '{ s = $5 - $2; i = $6 - $3; u = $7 - $4
        if ((s + i + u) / n >= 0.05) { printf "%s%s %.1f", sep, $1, s / n
                             if (i / n >= 0.05) printf " +%.1f ins", i / n
                             if (u / n >= 0.05) printf " +%.1f upd", u / n
                             sep = ", " } }')
}

run_wrk tokens tokens.lua /v1/tokens
run_wrk reads read.lua /v1/secrets/bench/service/url
run_wrk sareads read-sa.lua /v1/secrets/bench/service/url
SVC_ERRORS=$(grep -c " ERROR " "$LOG" || true)
stop_service

# ---------------------------------------------------------------------------------------------
# The PostgreSQL ceiling on this machine.
TPS_SELECT=0 TPS_INSERT=0 LAT_SELECT=- LAT_INSERT=- ROW_BYTES=?
if [ "${BENCH_PGBENCH:-1}" = 1 ]; then
  step "pgbench: initialising $PGDB (scale 10)"
  sql "create database $PGDB"
  timeout 180 pgbench -i -s 10 -q "$PGDB" >"$OUT/pgbench-init.txt" 2>&1 || die "pgbench -i failed: $(tail -n 5 "$OUT/pgbench-init.txt")"
  SQL_DB=$PGDB sql "$(cat "$BENCH_DIR/audit-table.sql")"
  pg_tps() { grep -E '^tps = ' "$1" | tail -n1 | sed -E 's/^tps = ([0-9.]+).*/\1/'; }
  sql "checkpoint"
  step "pgbench -S -c $PG_CLIENTS -j $PG_JOBS -T $PG_SECONDS"
  timeout $((PG_SECONDS + 60)) pgbench -S -c "$PG_CLIENTS" -j "$PG_JOBS" -T "$PG_SECONDS" "$PGDB" >"$OUT/pgbench-select.txt" 2>&1 \
    || die "pgbench -S failed: $(tail -n 5 "$OUT/pgbench-select.txt")"
  sql "checkpoint"
  step "pgbench -n -f bench/audit-insert.sql -c $PG_CLIENTS -j $PG_JOBS -T $PG_SECONDS"
  timeout $((PG_SECONDS + 60)) pgbench -n -f "$BENCH_DIR/audit-insert.sql" -c "$PG_CLIENTS" -j "$PG_JOBS" -T "$PG_SECONDS" "$PGDB" \
    >"$OUT/pgbench-insert.txt" 2>&1 || die "pgbench insert failed: $(tail -n 5 "$OUT/pgbench-insert.txt")"
  TPS_SELECT=$(pg_tps "$OUT/pgbench-select.txt")
  TPS_INSERT=$(pg_tps "$OUT/pgbench-insert.txt")
  LAT_SELECT=$(grep -E '^latency average' "$OUT/pgbench-select.txt" | sed -E 's/.*= ([0-9.]+) ms/\1/')
  LAT_INSERT=$(grep -E '^latency average' "$OUT/pgbench-insert.txt" | sed -E 's/.*= ([0-9.]+) ms/\1/')
  ROW_BYTES=$(SQL_DB=$PGDB sql "select round(avg(pg_column_size(a.*))) from (select * from audit_like limit 1000) a")
fi
cleanup
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Results.
ratio=$(awk -v r="${RPS[reads]}" -v t="$TPS_INSERT" 'BEGIN { if (t > 0) printf "%.1f", 100 * r / t; else printf "n/a" }')
ratio_ok=$(awk -v x="$ratio" 'BEGIN { print (x == "n/a") ? "not measured" : (x >= 50) ? "met" : "MISSED" }')
p99_ok=$(awk -v x="${P99[reads]}" 'BEGIN { print (x < 25) ? "met" : "MISSED" }')
say ""
say "== Results — $(date -u '+%Y-%m-%d %H:%M UTC'), $NCPU cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
say "   service: wrk -t$THREADS -c$CONNS -d$DURATION --latency (after a $WARMUP warm-up), JVM options: ${JAVA_OPTS:-none}"
say "   PostgreSQL: pgbench -c $PG_CLIENTS -j $PG_JOBS -T $PG_SECONDS"
printf '%-44s %12s %10s %10s %7s\n' "benchmark" "req/s | tps" "p50 ms" "p99 ms" "errors"
printf '%-44s %12s %10s %10s %7s\n' "--------------------------------------------" "------------" "----------" "----------" "-------"
printf '%-44s %12s %10s %10s %7s\n' "(a) POST /v1/tokens (standard scope)" "${RPS[tokens]}" "${P50[tokens]}" "${P99[tokens]}" "${ERRS[tokens]}"
printf '%-44s %12s %10s %10s %7s\n' "(b) GET /v1/secrets/bench/service/url" "${RPS[reads]}" "${P50[reads]}" "${P99[reads]}" "${ERRS[reads]}"
printf '%-44s %12s %10s %10s %7s\n' "(c) the same with a service-account token" "${RPS[sareads]}" "${P50[sareads]}" "${P99[sareads]}" "${ERRS[sareads]}"
if [ "${BENCH_PGBENCH:-1}" = 1 ]; then
  printf '%-44s %12.1f %10s %10s %7s\n' "pgbench -S (select-only, scale 10)" "$TPS_SELECT" "avg ${LAT_SELECT}" "" ""
  printf '%-44s %12.1f %10s %10s %7s\n' "pgbench, 1 audit-row insert/txn (~${ROW_BYTES} B)" "$TPS_INSERT" "avg ${LAT_INSERT}" "" ""
else
  say "(pgbench skipped: BENCH_PGBENCH=0)"
fi
say ""
say "secret reads / one-insert tps: ${ratio} %   (goal >= 50 %: $ratio_ok)"
say "secret read p99:               ${P99[reads]} ms (goal < 25 ms: $p99_ok)"
sa_ratio=$(awk -v c="${RPS[sareads]}" -v b="${RPS[reads]}" 'BEGIN { printf "%.1f", 100 * c / b }')
sa_ok=$(awk -v x="$sa_ratio" 'BEGIN { print (x >= 85) ? "met" : "MISSED" }')
say "service-account reads / API-key reads: ${sa_ratio} %   (goal >= 85 %, i.e. at most 15 % slower: $sa_ok)"
say ""
say "CPU during each measured run, in cores (of $NCPU):"
printf '  %-7s %12s %14s %6s %16s %14s\n' "" "service JVM" "its PG backends" "wrk" "everything else" "whole machine"
for n in tokens reads sareads; do
  printf '  %-7s %12s %14s %6s %16s %14s\n' "$n" "${CPU_SVC[$n]}" "${CPU_PG[$n]}" "${CPU_WRK[$n]}" "${CPU_OTHER[$n]}" "${CPU_ALL[$n]}"
done
noisy=$(awk -v a="${CPU_OTHER[tokens]}" -v b="${CPU_OTHER[reads]}" 'BEGIN { m = (a > b) ? a : b; if (m > 0.2) printf "%.2f", m }')
[ -n "$noisy" ] && say "WARNING: other processes used up to $noisy cores during the runs: the figures above are depressed."
say "Busiest processes 10 s into the read run (top -b -n1):"
awk '/^ *PID /{ on = 1 } on && n++ < 7' "$OUT/top-reads.txt" | cut -c1-110 | sed 's/^/  /'
say "Per request, table accesses (index + seq scans) [+ rows inserted/updated], from pg_stat_user_tables:"
for n in tokens reads sareads; do printf '  %-7s %s\n' "$n" "${PERREQ[$n]}"; done
say "Service's PostgreSQL connections a few seconds after each run: tokens: ${BACKENDS[tokens]}; reads: ${BACKENDS[reads]}"
say "Service log: $SVC_ERRORS ERROR lines while serving, see $LOG (wrk closing its connections with requests in flight at the end of each run is enough to produce some)"
say "Load average (1/5/15 min): before $load_before, after $load_after"
say "Raw output: $OUT/ (wrk, pgbench, top snapshots taken 10 s into each run); service log: $LOG"
