#!/usr/bin/env bash
# Stops the Keycloak that start.sh started on ASS_KEYCLOAK_PORT (8180): its whole process group.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PORT="${ASS_KEYCLOAK_PORT:-8180}"
VERSION=26.5.6
KC_HOME="${ASS_KEYCLOAK_HOME:-$HOME/.cache/agent-secret-store/keycloak-$VERSION}"
# Kept with the download, not in target/, so that mvn clean does not orphan a running Keycloak.
PID_FILE="$KC_HOME/run/keycloak-$PORT.pid"
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
