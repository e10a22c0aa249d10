#!/usr/bin/env bash
# Stops the Keycloak that start.sh started on ASS_KEYCLOAK_PORT (8180): its whole process group.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
PORT="${ASS_KEYCLOAK_PORT:-8180}"
PID_FILE="$REPO/target/keycloak/keycloak-$PORT.pid"
[ -f "$PID_FILE" ] || { echo "no Keycloak started by start.sh on port $PORT"; exit 0; }
pid="$(cat "$PID_FILE")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
fi
rm -f "$PID_FILE"
echo "Keycloak on port $PORT stopped"
