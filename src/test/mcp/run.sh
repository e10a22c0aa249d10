#!/usr/bin/env bash
# The MCP interface driven by the official MCP TypeScript SDK client (@modelcontextprotocol/sdk,
# pinned in package-lock.json) against the packaged jar and the local PostgreSQL: an agent lists
# the tools, asks for a sensitive secret, a human approves over the REST API, the agent reads it.
# Run after the jar is built (./mvnw package -DskipTests, or verify):
#   bash src/test/mcp/run.sh
# Env: ASS_JAR (default target/quarkus-app/quarkus-run.jar), ASS_MCP_E2E_SCHEMA (default ass_mcp_e2e;
# give each concurrent run its own), ASS_MCP_E2E_PORT (default: a free port).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
JAR="${ASS_JAR:-$REPO/target/quarkus-app/quarkus-run.jar}"
SCHEMA="${ASS_MCP_E2E_SCHEMA:-ass_mcp_e2e}"
LOG="$REPO/target/mcp-e2e-service.log"

if [ ! -f "$JAR" ]; then
  echo "no packaged jar at $JAR: build it first (./mvnw package -DskipTests)" >&2
  exit 1
fi
if [ ! -d "$HERE/node_modules/@modelcontextprotocol/sdk" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

drop_schema() {
  PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -U postgres -d postgres -qc "drop schema if exists $SCHEMA cascade" >/dev/null
}

PORT="${ASS_MCP_E2E_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}"
BASE="http://127.0.0.1:$PORT"
ADMIN_KEY="ass_$(head -c 512 /dev/urandom | tr -dc A-Za-z0-9 | head -c 43)"
mkdir -p "$REPO/target"

drop_schema
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  drop_schema || true
}
trap cleanup EXIT

ASS_DB_SCHEMA=$SCHEMA \
ASS_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" \
ASS_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" \
ASS_PUBLIC_URL="$BASE" \
QUARKUS_HTTP_HOST=127.0.0.1 \
QUARKUS_HTTP_PORT="$PORT" \
  java -Xmx384m -jar "$JAR" >"$LOG" 2>&1 &
pid=$!

for _ in $(seq 1 180); do
  curl -sf "$BASE/q/health/ready" >/dev/null 2>&1 && break
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 50 "$LOG" >&2
    echo "the service exited before it was ready" >&2
    exit 1
  fi
  sleep 0.5
done
curl -sf "$BASE/q/health/ready" >/dev/null || { tail -n 50 "$LOG" >&2; echo "the service did not become ready" >&2; exit 1; }
echo "service ready at $BASE (log: $LOG)"

cd "$HERE"
status=0
TAP="$REPO/target/mcp-e2e-results.tap"
ASS_BASE_URL="$BASE" ASS_ADMIN_KEY="$ADMIN_KEY" \
  node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$TAP" \
    agent.test.mjs || status=$?
passed="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$TAP" | tail -n 1)"
failed="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$TAP" | tail -n 1)"
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "${passed:-0}" -eq 0 ]; then status=1; fi
# Keys, tokens and values crossed the MCP endpoint: none may reach the service's log.
if grep -q "s3cr3t-mcp-" "$LOG" || grep -qE '\b(ass|ast)_[A-Za-z0-9_-]{32,}' "$LOG"; then
  echo "a key, token or secret value appeared in the service log" >&2
  status=1
fi
exit $status
