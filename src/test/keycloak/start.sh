#!/usr/bin/env bash
# Starts a real Keycloak with the test realm (realm-agent-secret-store.json) for the OIDC tests and
# for trying SSO locally:
#   bash src/test/keycloak/start.sh      # http://127.0.0.1:8180, admin console user admin/admin
#   bash src/test/keycloak/stop.sh
# The Quarkus distribution of Keycloak is downloaded once from Maven Central (about 165 MB) into
# ASS_KEYCLOAK_HOME and reused. It runs with an in-memory database: every start imports a fresh
# realm, so nothing a test changed survives a restart. Returns once the realm answers.
# Env: ASS_KEYCLOAK_PORT (8180), ASS_KEYCLOAK_HOME (~/.cache/agent-secret-store/keycloak-26.5.6),
#      KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD (admin / admin).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
VERSION=26.5.6
PORT="${ASS_KEYCLOAK_PORT:-8180}"
KC_HOME="${ASS_KEYCLOAK_HOME:-$HOME/.cache/agent-secret-store/keycloak-$VERSION}"
RUN_DIR="$REPO/target/keycloak"
PID_FILE="$KC_HOME/run/keycloak-$PORT.pid"
LOG="$RUN_DIR/keycloak-$PORT.log"
REALM_URL="http://127.0.0.1:$PORT/realms/agent-secret-store/.well-known/openid-configuration"

if curl -sf -o /dev/null "$REALM_URL"; then
  echo "Keycloak already answers on port $PORT"
  exit 0
fi

wait_ready() {
  for _ in $(seq 1 600); do
    if curl -sf -o /dev/null "$REALM_URL"; then
      echo "Keycloak ready on http://127.0.0.1:$PORT (realm agent-secret-store; log: $LOG)"
      return 0
    fi
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      tail -n 40 "$LOG" >&2
      echo "Keycloak exited during start-up" >&2
      return 1
    fi
    sleep 0.5
  done
  tail -n 40 "$LOG" >&2
  echo "Keycloak did not become ready in 300 s" >&2
  return 1
}

# A start still under way (the tests call this script too): wait for it rather than start another.
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  wait_ready
  exit $?
fi

if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
  echo "Downloading Keycloak $VERSION into $KC_HOME (once)"
  tmp="$(mktemp -d)"
  (cd "$REPO" && ./mvnw -B -ntp -q dependency:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" -DoutputDirectory="$tmp" -Dmdep.useBaseVersion=true)
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$tmp/keycloak-quarkus-dist-$VERSION.zip" -d "$tmp"
  else
    python3 -m zipfile -e "$tmp/keycloak-quarkus-dist-$VERSION.zip" "$tmp"
    chmod +x "$tmp/keycloak-$VERSION/bin/"*.sh
  fi
  mkdir -p "$(dirname "$KC_HOME")"
  rm -rf "$KC_HOME"
  mv "$tmp/keycloak-$VERSION" "$KC_HOME"
  rm -rf "$tmp"
fi

mkdir -p "$RUN_DIR" "$KC_HOME/data/import" "$KC_HOME/run"
# --import-realm reads $KC_HOME/data/import; with the in-memory database it imports on every start.
cp "$HERE/realm-agent-secret-store.json" "$KC_HOME/data/import/"
: >"$LOG"
# setsid: kc.sh starts a java child; stop.sh ends the whole process group.
KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}" \
KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}" \
JAVA_OPTS_KC_HEAP="${JAVA_OPTS_KC_HEAP:--Xms64m -Xmx512m}" \
  setsid "$KC_HOME/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$PORT" \
    --db=dev-mem --import-realm \
    >"$LOG" 2>&1 </dev/null &
echo $! >"$PID_FILE"

wait_ready
