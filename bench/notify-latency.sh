#!/usr/bin/env bash
# Notification latency benchmark (figures, not a test): starts the packaged jar on a free loopback
# port with its own schema, then bench/notify_latency.py measures, over 200 sequential requests,
# the time from the approve call's response to (a) the approval.approved SSE event at a client
# and (b) the webhook at a local receiver. Goals on the reference machine: SSE p99 < 100 ms,
# webhook p99 < 250 ms. Loopback traffic only; bounded to a few minutes. Exits non-zero only
# when a notification did not arrive (within 10 s); a missed goal is printed, not failed.
#
#   bash bench/notify-latency.sh
#   ASS_BENCH_REQUESTS=500 bash bench/notify-latency.sh     # more samples
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/quarkus-app/quarkus-run.jar
SCHEMA=ass_bench_notify
LOG=target/bench-notify-service.log

drop_schema() {
  PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -U postgres -d postgres -qc \
    "drop schema if exists $SCHEMA cascade"
}

if [ ! -f "$JAR" ]; then
  echo "building the jar (./mvnw -q package -DskipTests)..." >&2
  ./mvnw -q package -DskipTests
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
ADMIN_KEY="ass_$(head -c 256 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 43)"

drop_schema
pid=
bench=
cleanup() {
  if [ -n "$bench" ]; then kill "$bench" 2>/dev/null || true; fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  drop_schema || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p target
ASS_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
ASS_BOOTSTRAP_ADMIN_KEY=$ADMIN_KEY \
ASS_DB_SCHEMA=$SCHEMA \
ASS_WEBHOOKS_ALLOW_PRIVATE=true \
ASS_PUBLIC_URL=$BASE \
QUARKUS_HTTP_HOST=127.0.0.1 \
QUARKUS_HTTP_PORT=$PORT \
  java -jar "$JAR" > "$LOG" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
  curl -sf "$BASE/q/health/ready" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { tail -50 "$LOG" >&2; echo "the service exited; log: $LOG" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$BASE/q/health/ready" >/dev/null || { echo "the service did not become ready in 60 s; log: $LOG" >&2; exit 1; }
echo "service up at $BASE (schema $SCHEMA, log $LOG)"

# In the background and waited for, so that a signal to this script runs the cleanup at once.
ASS_BENCH_BASE=$BASE ASS_BENCH_ADMIN_KEY=$ADMIN_KEY timeout 240 python3 bench/notify_latency.py &
bench=$!
wait "$bench"
