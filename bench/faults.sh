#!/usr/bin/env bash
# Three replicas of the packaged jar behind nginx (bench/nginx.conf) on one PostgreSQL, under load,
# while a random replica is killed (-9) every 20-30 s and restarted, and PostgreSQL restarts once.
# Prints the invariants as "N passed, M failed" (exit 1 if any failed), the error rate and the
# longest unavailability around the PostgreSQL restart. bench/faults.py does the work.
#
# PostgreSQL: this script never touches a server it did not start. It creates a throw-away
# cluster (initdb into a temporary directory, its own port), restarts that one mid-run and
# removes it at the end: other people's databases on the machine's PostgreSQL stay untouched.
#
#   bash bench/faults.sh                 # 180 s of load
#   FAULTS_DURATION=120 bash bench/faults.sh
# Env: FAULTS_DURATION (s, default 180), FAULTS_PORT (nginx; replicas on the next three; default
# 18620), FAULTS_PG_PORT (default 18629), FAULTS_KEEP=1 keeps the work directory (logs).
# Needs: target/quarkus-app (./mvnw package), nginx (apt-get install -y nginx), PostgreSQL server
# binaries in /usr/lib/postgresql/*/bin, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${FAULTS_DURATION:-180}"
PORT="${FAULTS_PORT:-18620}"
PG_PORT="${FAULTS_PG_PORT:-18629}"
JAR=target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || { echo "no $JAR: run ./mvnw package -DskipTests first" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 2; }
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" >&2; exit 2; }

WORK="$(mktemp -d /tmp/ass-faults.XXXXXX)"
chmod 755 "$WORK"
PGDATA="$WORK/pgdata"
# initdb and postgres refuse to run as root: as root, the cluster belongs to the postgres user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    set +e
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
    if [ "${FAULTS_KEEP:-}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "PostgreSQL: a throw-away cluster ($PG_BIN, port $PG_PORT, $PGDATA)"
mkdir -p "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA" "$WORK"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >"$WORK/initdb.log" 2>&1
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null

echo "nginx on 127.0.0.1:$PORT, from bench/nginx.conf"
python3 - "$PORT" "$WORK" <<'EOF'
import re, sys
port, work = int(sys.argv[1]), sys.argv[2]
conf = open("bench/nginx.conf").read()
servers = "".join(f"        server 127.0.0.1:{port + i} max_fails=1 fail_timeout=2s;\n" for i in (1, 2, 3))
conf = re.sub(r"(        server 10\.0\.0\.\d+:8080[^\n]*\n)+", servers, conf)
conf = conf.replace("listen 80;", f"listen 127.0.0.1:{port};")
conf = conf.replace("/run/nginx-agent-secret-store.pid", f"{work}/nginx.pid")
conf = conf.replace("/var/log/nginx/agent-secret-store.", f"{work}/nginx-")
conf = conf.replace("worker_processes auto;", "worker_processes 1;")
# Temporary files of a non-root nginx go to the work directory too.
conf = conf.replace("http {\n", "http {\n" + "".join(
    f"    {d}_temp_path {work}/nginx-{d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")), 1)
open(f"{work}/nginx.conf", "w").write(conf)
EOF
nginx -t -q -c "$WORK/nginx.conf" -p "$WORK"
nginx -c "$WORK/nginx.conf" -p "$WORK"

python3 bench/faults.py --duration "$DURATION" --port "$PORT" --pg-port "$PG_PORT" --pg-bin "$PG_BIN" \
    --pg-data "$PGDATA" --work "$WORK" --jar "$JAR"
