#!/usr/bin/env bash
# Benchmark (prints figures; not a timed test): secret reads authenticated with an OIDC bearer token
# versus an API key, on one service with OIDC on. Usage, from the repository root:
#
#     bash bench/oidc-read.sh
#
# Needs the packaged jar (./mvnw package -DskipTests) and the test Keycloak (started with
# src/test/keycloak/start.sh when it does not answer, stopped again afterwards). Two admins read the
# same standard-tier secret, each with a scoped token of their own: the bootstrap admin with its API
# key, and `ada` (admin through her Keycloak group) with an access token from the password grant.
# The only difference between the runs is how the caller is authenticated: a salted-hash key lookup
# versus local JWT verification against the provider's cached keys, then the (issuer, subject)
# lookup and group sync of the sign-in path. wrk at BENCH_CONNECTIONS (32) for BENCH_DURATION (15s)
# each, after BENCH_WARMUP (5s). Cleans up after itself.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_DIR="$ROOT/bench"
cd "$ROOT"

PORT=${BENCH_PORT:-18292}
DURATION=${BENCH_DURATION:-15s}
WARMUP=${BENCH_WARMUP:-5s}
CONNS=${BENCH_CONNECTIONS:-32}
SCHEMA=ass_bench_oidc
JAR=target/quarkus-app/quarkus-run.jar
LOG=target/bench-oidc-service.log
OUT=target/bench
KC_PORT=${ASS_KEYCLOAK_PORT:-8180}
ISSUER="http://127.0.0.1:$KC_PORT/realms/agent-secret-store"
export PGHOST=127.0.0.1 PGUSER=postgres PGOPTIONS='-c client_min_messages=warning'

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
step() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }
sql() { psql -d postgres -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

[ -f "$JAR" ] || die "no packaged jar: ./mvnw package -DskipTests"
for tool in wrk curl jq java psql; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
mkdir -p "$OUT"

svc_pid=""
kc_started=""
cleanup() {
  if [ -n "$svc_pid" ] && kill -0 "$svc_pid" 2>/dev/null; then kill "$svc_pid"; wait "$svc_pid" 2>/dev/null || true; fi
  sql "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1 || true
  if [ -n "$kc_started" ]; then bash src/test/keycloak/stop.sh >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

curl -sf -o /dev/null "$ISSUER/.well-known/openid-configuration" || kc_started=yes
bash src/test/keycloak/start.sh >/dev/null

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 20); do port_in_use "$PORT" || break; PORT=$((PORT + 1)); done
BASE="http://127.0.0.1:$PORT"
ADMIN_KEY="ass_$(head -c 512 /dev/urandom | LC_ALL=C tr -dc A-Za-z0-9 | head -c 43)"
sql "drop schema if exists $SCHEMA cascade"

step "starting $JAR on $BASE with OIDC on (log $LOG)"
ASS_MASTER_KEY="$(head -c 32 /dev/urandom | base64 -w0)" ASS_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" ASS_DB_SCHEMA="$SCHEMA" \
  ASS_OIDC_ENABLED=true QUARKUS_OIDC_AUTH_SERVER_URL="$ISSUER" QUARKUS_OIDC_CLIENT_ID=agent-secret-store \
  QUARKUS_OIDC_CREDENTIALS_SECRET=agent-secret-store-test-secret \
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$PORT" \
  java ${BENCH_JAVA_OPTS:--XX:+UseParallelGC} -jar "$JAR" >"$LOG" 2>&1 &
svc_pid=$!
for _ in $(seq 1 240); do
  curl -sf --max-time 2 "$BASE/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$svc_pid" 2>/dev/null || { tail -n 40 "$LOG" >&2; die "the service exited during start-up"; }
  sleep 0.5
done
curl -sf "$BASE/q/health/ready" >/dev/null || die "the service did not become ready"

api() { # method path bearer [body]
  local args=(-sf --max-time 10 -X "$1" "$BASE$2" -H "Authorization: Bearer $3")
  [ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' -d "$4")
  curl "${args[@]}" || die "$1 $2 failed"
}
JWT=$(curl -sf -d grant_type=password -d client_id=agent-secret-store -d client_secret=agent-secret-store-test-secret \
  -d username=ada -d password=ada-password "$ISSUER/protocol/openid-connect/token" | jq -er .access_token) \
  || die "no access token for ada"
api PUT /v1/secrets/bench/service/url "$ADMIN_KEY" '{"value":"https://service.bench.internal/x"}' >/dev/null
scoped() { api POST /v1/tokens "$1" '{"scope":"secrets:read:bench/service/*","ttl_seconds":3600,"description":"benchmark"}' | jq -er .value; }
KEY_TOKEN=$(scoped "$ADMIN_KEY") || die "no token for the key's admin"
JWT_TOKEN=$(scoped "$JWT") || die "no token for ada"

declare -A RPS P50 P99 ERRS
run() { # name bearer token
  BENCH_AUTH=$2 BENCH_TOKEN=$3 wrk -t2 -c"$CONNS" -d"$WARMUP" -s bench/read-as.lua "$BASE/v1/secrets/bench/service/url" >/dev/null 2>&1
  step "$1: wrk -t2 -c$CONNS -d$DURATION"
  BENCH_AUTH=$2 BENCH_TOKEN=$3 wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/read-as.lua \
    "$BASE/v1/secrets/bench/service/url" >"$OUT/wrk-oidc-$1.txt" 2>&1 || die "wrk failed"
  local line; line=$(grep '^BENCH ' "$OUT/wrk-oidc-$1.txt")
  local n d p50 p99
  n=$(sed -E 's/.* requests=([0-9]+).*/\1/' <<<"$line"); d=$(sed -E 's/.* duration_us=([0-9]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.* p50_us=([0-9]+).*/\1/' <<<"$line"); p99=$(sed -E 's/.* p99_us=([0-9]+).*/\1/' <<<"$line")
  RPS[$1]=$(awk -v r="$n" -v d="$d" 'BEGIN { printf "%.1f", r / (d / 1e6) }')
  P50[$1]=$(awk -v u="$p50" 'BEGIN { printf "%.2f", u / 1000 }')
  P99[$1]=$(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')
  ERRS[$1]=$(awk '{ s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^err_/) { split($i, a, "="); s += a[2] } print s }' <<<"$line")
}
# Interleaved, so that a change in the machine's load touches both.
run api-key "$ADMIN_KEY" "$KEY_TOKEN"
run oidc "$JWT" "$JWT_TOKEN"

printf '\nSecret reads, %s connections, %s each (load before: %s)\n' "$CONNS" "$DURATION" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %10s %9s %9s %7s\n' auth req/s p50_ms p99_ms errors
for n in api-key oidc; do printf '%-10s %10s %9s %9s %7s\n' "$n" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${ERRS[$n]}"; done
awk -v a="${RPS[api-key]}" -v o="${RPS[oidc]}" 'BEGIN { printf "OIDC bearer vs API key: %+.1f %% throughput\n", (o - a) / a * 100 }'
