#!/usr/bin/env bash
# The OpenAPI document against the service it describes: starts the packaged jar (own schema, free
# ports), puts Stoplight Prism in front of it as a validating proxy, and drives the README's
# walk-through through it (src/test/openapi/walkthrough.mjs). Fails on any request or response
# that breaks /q/openapi. Run after the jar is built (./mvnw package -DskipTests).
# Env: ASS_OPENAPI_SCHEMA (default ass_ci_openapi), ASS_OPENAPI_PORTS ("service strict lenient webhook";
# default: four free ports).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
HERE="$REPO/src/test/openapi"
JAR=target/quarkus-app/quarkus-run.jar
SCHEMA="${ASS_OPENAPI_SCHEMA:-ass_ci_openapi}"
LOG=target/openapi-service.log
SPEC=target/openapi.yaml

[ -f "$JAR" ] || { echo "no packaged jar at $JAR: build it first (./mvnw package -DskipTests)" >&2; exit 1; }
[ -d "$HERE/node_modules/@stoplight/prism-cli" ] || (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)

free_ports() {
  python3 -c 'import socket
s=[socket.socket() for _ in range(4)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))'
}
read -r PORT STRICT LENIENT HOOK <<<"${ASS_OPENAPI_PORTS:-$(free_ports)}"
BASE="http://127.0.0.1:$PORT"

drop_schema() {
  PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -U postgres -d postgres -qc "drop schema if exists $SCHEMA cascade" >/dev/null
}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  drop_schema || true
}
trap cleanup EXIT
drop_schema

KEY="ass_CiOpenApi$(head -c 64 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 40)"
ASS_DB_SCHEMA=$SCHEMA ASS_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" ASS_BOOTSTRAP_ADMIN_KEY="$KEY" \
ASS_APPROVALS_JOB_INTERVAL=1s ASS_WEBHOOKS_ALLOW_PRIVATE=true ASS_PUBLIC_URL="$BASE" QUARKUS_HTTP_PORT="$PORT" \
  java -Xmx512m -jar "$JAR" >"$LOG" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do
  curl -sf "$BASE/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { tail -n 50 "$LOG" >&2; echo "the service exited before it was ready" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$BASE/q/health/ready" >/dev/null || { tail -n 50 "$LOG" >&2; echo "the service did not become ready" >&2; exit 1; }
curl -sf "$BASE/q/openapi" -o "$SPEC"

# --errors: Prism answers any violation itself (422 for a request, 500 for a response) instead of
# forwarding; the lenient proxy forwards and reports in the sl-violations header.
PRISM="$HERE/node_modules/.bin/prism"
"$PRISM" proxy "$SPEC" "$BASE" --errors -h 127.0.0.1 -p "$STRICT" >target/prism-strict.log 2>&1 &
pids+=($!)
"$PRISM" proxy "$SPEC" "$BASE" -h 127.0.0.1 -p "$LENIENT" >target/prism-lenient.log 2>&1 &
pids+=($!)
for p in "$STRICT" "$LENIENT"; do
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$p/v1/principals/me" -H "Authorization: Bearer $KEY" && break
    sleep 0.5
  done
done

PRISM_STRICT_URL="http://127.0.0.1:$STRICT" PRISM_LENIENT_URL="http://127.0.0.1:$LENIENT" ASS_BASE_URL="$BASE" \
ASS_ADMIN_KEY="$KEY" WEBHOOK_PORT="$HOOK" node "$HERE/walkthrough.mjs"
if grep -q "$KEY" "$LOG"; then echo "the admin key appeared in the service log" >&2; exit 1; fi
echo "OpenAPI document OK"
