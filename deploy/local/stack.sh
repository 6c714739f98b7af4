#!/usr/bin/env bash
# `make up` / `make down`: the whole platform on one machine with real parts.
#   PostgreSQL (local, or the server in DATABASE_URL), Kafka in KRaft mode (local, or
#   KAFKA_BOOTSTRAP_SERVERS), topic provisioning, one database and role per service,
#   migrations, then every service in the background with its log under $CLINIC_STATE_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CLINIC_STATE_DIR="${CLINIC_STATE_DIR:-/tmp/clinic-platform}"
export PG_PORT="${PG_PORT:-5433}" KAFKA_PORT="${KAFKA_PORT:-9092}"
RUN="$CLINIC_STATE_DIR/run"
# name:port — one name everywhere: folder, package, database, role, consumer group.
SERVICES=(booking:8001 schedules:8002 notifications:8003 calendar-sync:8004)

admin_url() { echo "${DATABASE_URL:-postgresql://postgres@127.0.0.1:$PG_PORT/postgres}"; }
bootstrap() { echo "${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}"; }
server_of() { local url="${1#*://}"; echo "${url#*@}" | cut -d/ -f1; }

ensure_database() {  # $1 = database/role name; the role owns the database so RLS is forced on it
  local name="$1" admin; admin="$(admin_url)"
  psql -q "$admin" -v ON_ERROR_STOP=1 <<SQL
SELECT 'CREATE ROLE $name LOGIN NOSUPERUSER NOBYPASSRLS' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$name')\gexec
SELECT 'CREATE DATABASE $name OWNER $name' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$name')\gexec
SQL
  psql -q "${admin%/*}/$name" -c "CREATE EXTENSION IF NOT EXISTS btree_gist" >/dev/null
}

service_env() {  # $1 = service name, $2 = port: the service's env-prefixed settings
  local name="$1" port="$2" prefix db
  prefix="$(echo "${name//-/_}" | tr '[:lower:]' '[:upper:]')_"
  db="clinic_${name//-/_}"
  echo "${prefix}DATABASE_URL=postgresql+psycopg://$db@$(server_of "$(admin_url)")/$db"
  echo "${prefix}KAFKA_BOOTSTRAP_SERVERS=$(bootstrap)"
  echo "${prefix}HTTP_PORT=$port"
}

wait_ready() {  # $1 = name, $2 = port, $3 = probe path
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$2${3:-/readyz}" >/dev/null 2>&1 && { echo "  $1 ready on :$2"; return 0; }
    sleep 0.5
  done
  echo "$1 did not become ready; last log lines:" >&2; tail -n 40 "$RUN/$1.log" >&2; return 1
}

up() {
  mkdir -p "$RUN"
  cd "$ROOT"
  [[ -n "${DATABASE_URL:-}" ]] || "$HERE/postgres.sh" start
  [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]] || { "$HERE/kafka.sh" fetch; "$HERE/kafka.sh" start; }
  "$ROOT/.venv/bin/python" -m clinic_platform.provisioning --bootstrap "$(bootstrap)"
  mail_up
  for entry in "${SERVICES[@]}"; do
    local name="${entry%%:*}" port="${entry##*:}" pkg="${entry%%:*}"; pkg="${pkg//-/_}"
    ensure_database "clinic_$pkg"
    # shellcheck disable=SC2046
    env $(service_env "$name" "$port") "$ROOT/.venv/bin/python" -m "$pkg" migrate
    if [[ -f "$RUN/$name.pid" ]] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
      echo "  $name already running"; continue
    fi
    # The venv's python directly, so the pid file names the server process itself.
    # shellcheck disable=SC2046
    env $(service_env "$name" "$port") nohup "$ROOT/.venv/bin/python" -m "$pkg" serve \
      >"$RUN/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN/$name.pid"
  done
  for entry in "${SERVICES[@]}"; do wait_ready "${entry%%:*}" "${entry##*:}"; done
  gateway_up
  echo "platform up: PostgreSQL $(server_of "$(admin_url)"), Kafka $(bootstrap), logs in $RUN"
}

mail_up() {  # a local SMTP catcher on :1025 (notifications' default); mails land in mail.log
  if [[ -f "$RUN/mail.pid" ]] && kill -0 "$(cat "$RUN/mail.pid")" 2>/dev/null; then return 0; fi
  nohup "$ROOT/.venv/bin/python" -m aiosmtpd -n -l 127.0.0.1:1025 -c aiosmtpd.handlers.Debugging \
    >"$RUN/mail.log" 2>&1 </dev/null &
  echo $! >"$RUN/mail.pid"
}

gateway_up() {  # nginx and its token verifier in front of the services on :8080
  "$HERE/gateway.sh" start
}

down() {
  "$HERE/gateway.sh" stop
  for entry in "${SERVICES[@]}" mail:1025; do
    local name="${entry%%:*}" pidfile="$RUN/${entry%%:*}.pid"
    if [[ -f "$pidfile" ]]; then
      if kill -TERM "$(cat "$pidfile")" 2>/dev/null; then echo "  stopping $name"; fi
      rm -f "$pidfile"
    fi
  done
  sleep 1
  [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]] || "$HERE/kafka.sh" stop
  [[ -n "${DATABASE_URL:-}" ]] || "$HERE/postgres.sh" stop
}

status() {
  for entry in "${SERVICES[@]}"; do
    local name="${entry%%:*}" port="${entry##*:}"
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then echo "$name: ready on :$port"
    else echo "$name: not ready"; fi
  done
  "$HERE/kafka.sh" status || true
  "$HERE/postgres.sh" status || true
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
