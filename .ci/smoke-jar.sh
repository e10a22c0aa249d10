#!/usr/bin/env bash
# The packaged jar: refuses to start without a master key; with the documented environment
# variables alone it starts against the local PostgreSQL and serves the walk-through.
set -euo pipefail
JAR=target/quarkus-app/quarkus-run.jar
PORT=18181
LOG=target/smoke-jar.log
SCHEMA=ass_ci_smoke

if ls target/quarkus-app/lib/main | grep -q zonky; then
  echo "the packaged app carries the embedded PostgreSQL" >&2; exit 1
fi

set +e
env -u ASS_MASTER_KEY -u ASS_MASTER_KEYS QUARKUS_HTTP_PORT=$PORT ASS_DB_SCHEMA=$SCHEMA \
  timeout 60 java -jar "$JAR" > "$LOG.nokey" 2>&1
code=$?
set -e
if [ "$code" -eq 0 ] || [ "$code" -eq 124 ] || ! grep -q "No master key configured" "$LOG.nokey"; then
  echo "the jar did not refuse to start without a master key (exit $code)" >&2; exit 1
fi
echo "without a master key: refused to start, as it must"

PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -d postgres -qc "drop schema if exists $SCHEMA cascade"
KEY="ass_CiSmoke$(head -c 64 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 40)"
ASS_MASTER_KEY=$(head -c 32 /dev/urandom | base64) ASS_BOOTSTRAP_ADMIN_KEY=$KEY \
  QUARKUS_HTTP_PORT=$PORT ASS_DB_SCHEMA=$SCHEMA java -jar "$JAR" > "$LOG" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$LOG"; echo "jar exited" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null
bash .ci/walkthrough.sh "http://127.0.0.1:$PORT" "$KEY"
if grep -q "$KEY" "$LOG"; then echo "the configured admin key was logged" >&2; exit 1; fi
kill $pid; wait $pid 2>/dev/null || true
PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -d postgres -qc "drop schema if exists $SCHEMA cascade"
echo "packaged jar OK"
