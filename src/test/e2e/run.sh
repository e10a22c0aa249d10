#!/usr/bin/env bash
# End-to-end tests of the approver dashboard in headless Chromium against the packaged jar, the
# local PostgreSQL and the test Keycloak (src/test/keycloak/start.sh; reused when it already runs).
# The service runs with single sign-on on, so the API-key tests also prove keys work beside it.
# Run after the jar is built (./mvnw package or verify):
#   bash src/test/e2e/run.sh
# Env: ASS_JAR (default target/quarkus-app/quarkus-run.jar), ASS_E2E_SCHEMA (default ass_e2e; give each
# concurrent run its own), ASS_KEYCLOAK_PORT (8180), ASS_E2E_FILES (the test files to run, space-separated;
# default all), ASS_E2E_SSO (default true; false runs without Keycloak and single sign-on, for files that
# need neither, e.g. ASS_E2E_FILES=passkey.test.mjs). Screenshots go to target/screenshots/. The service
# listens on a free port (or ASS_E2E_PORT); the MoltbotDen registry stub of settings.test.mjs on another
# (or ASS_E2E_STUB_PORT; ASS_MOLTBOTDEN_URL points at it). Passkeys need a domain: the service's WebAuthn
# relying party is localhost, and passkey tests open the dashboard at http://localhost:<port>.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
JAR="${ASS_JAR:-$REPO/target/quarkus-app/quarkus-run.jar}"
SCHEMA="${ASS_E2E_SCHEMA:-ass_e2e}"
KEYCLOAK_PORT="${ASS_KEYCLOAK_PORT:-8180}"
ISSUER="http://127.0.0.1:$KEYCLOAK_PORT/realms/agent-secret-store"
LOG="$REPO/target/e2e-service.log"

if [ ! -f "$JAR" ]; then
  echo "no packaged jar at $JAR: build it first (./mvnw package -DskipTests)" >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium (tests never download a browser)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
  else
    echo "/usr/bin/chromium is missing: apt-get install -y chromium" >&2
    exit 1
  fi
fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

drop_schema() {
  PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -U postgres -d postgres -qc "drop schema if exists $SCHEMA cascade" >/dev/null
}

SSO="${ASS_E2E_SSO:-true}"
PORT="${ASS_E2E_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}"
BASE="http://127.0.0.1:$PORT"
MD_PORT="${ASS_E2E_STUB_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}"
MD_KEY="mdk_$(head -c 512 /dev/urandom | tr -dc A-Za-z0-9 | head -c 32)"
ADMIN_KEY="ass_$(head -c 512 /dev/urandom | tr -dc A-Za-z0-9 | head -c 43)"
mkdir -p "$REPO/target/screenshots"

drop_schema
pid=""
keycloak_started=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  drop_schema || true
  if [ -n "$keycloak_started" ]; then bash "$REPO/src/test/keycloak/stop.sh" || true; fi
}
trap cleanup EXIT

if [ "$SSO" = true ]; then
  if ! curl -sf -o /dev/null "$ISSUER/.well-known/openid-configuration"; then
    keycloak_started=yes
  fi
  bash "$REPO/src/test/keycloak/start.sh"
fi

ASS_DB_SCHEMA=$SCHEMA \
ASS_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" \
ASS_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" \
ASS_APPROVALS_JOB_INTERVAL=1s \
ASS_PUBLIC_URL="$BASE" \
ASS_WEBHOOKS_ALLOW_PRIVATE=true \
ASS_MOLTBOTDEN_URL="http://127.0.0.1:$MD_PORT" \
ASS_MOLTBOTDEN_API_KEY="$MD_KEY" \
ASS_OIDC_ENABLED=$SSO \
ASS_STEP_UP_RP_ID=localhost \
ASS_STEP_UP_ORIGINS="http://localhost:$PORT" \
QUARKUS_OIDC_AUTH_SERVER_URL="$ISSUER" \
QUARKUS_OIDC_CLIENT_ID=agent-secret-store \
QUARKUS_OIDC_CREDENTIALS_SECRET=agent-secret-store-test-secret \
QUARKUS_HTTP_PORT="$PORT" \
  java -Xmx512m -jar "$JAR" >"$LOG" 2>&1 &
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
# node runs the files in name order. The sso* files come last on purpose: signing in through
# Keycloak provisions principals named alice and bob, names dashboard.test.mjs creates for itself.
TAP="$REPO/target/e2e-results.tap"
ASS_BASE_URL="$BASE" ASS_ADMIN_KEY="$ADMIN_KEY" ASS_SCREENSHOTS="$REPO/target/screenshots" \
ASS_MOLTBOTDEN_STUB_PORT="$MD_PORT" ASS_MOLTBOTDEN_API_KEY="$MD_KEY" \
ASS_SSO=$SSO ASS_OIDC_ISSUER="$ISSUER" ASS_PY_SRC="$REPO/clients/python/src" \
ASS_PASSKEY_ORIGIN="http://localhost:$PORT" ASS_PASSKEY_RP_ID=localhost \
  node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$TAP" \
    ${ASS_E2E_FILES:-sse.test.mjs dashboard.test.mjs settings.test.mjs passkey.test.mjs sso-cli.test.mjs sso.test.mjs} || status=$?
passed="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$TAP" | tail -n 1)"
failed="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$TAP" | tail -n 1)"
echo "screenshots: $REPO/target/screenshots"
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "${passed:-0}" -eq 0 ]; then status=1; fi
if grep -q "$ADMIN_KEY" "$LOG"; then
  echo "the admin key appeared in the service log" >&2
  status=1
fi
if grep -q "$MD_KEY" "$LOG"; then
  echo "the MoltbotDen API key appeared in the service log" >&2
  status=1
fi
exit $status
