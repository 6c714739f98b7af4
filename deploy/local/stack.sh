#!/usr/bin/env bash
# `make up` / `make down` / `make status`: the whole platform on one machine with real parts.
#   PostgreSQL (local, or the server in DATABASE_URL), Kafka in KRaft mode (local, or
#   KAFKA_BOOTSTRAP_SERVERS), topic provisioning, an SMTP catcher, one database and role per
#   service, migrations, every service in the background, the gateway on :8080, and the demo
#   clinic seeded through it (CLINIC_DEMO=0 skips that). State and logs under $CLINIC_STATE_DIR.
# A second `up` starts only what is not running; `down` stops everything `up` started.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin"  # nginx, for users whose PATH lacks sbin
export CLINIC_STATE_DIR="${CLINIC_STATE_DIR:-/tmp/clinic-platform}"
export PG_PORT="${PG_PORT:-5433}" KAFKA_PORT="${KAFKA_PORT:-9092}"
RUN="$CLINIC_STATE_DIR/run"
PY="$ROOT/.venv/bin/python"
GATEWAY_URL="http://127.0.0.1:8080"
READY_TIMEOUT="${CLINIC_READY_TIMEOUT:-180}"
STOP_TIMEOUT=30
# SERVICES (name:port — one name everywhere: folder, package, database, role, consumer group)
# and each service's settings on this machine, generated from deploy/services.toml.
# shellcheck source=services.generated.sh
source "$HERE/services.generated.sh"

admin_url() { echo "${DATABASE_URL:-postgresql://postgres@127.0.0.1:$PG_PORT/postgres}"; }
bootstrap() { echo "${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}"; }
server_of() { local url="${1#*://}"; echo "${url#*@}" | cut -d/ -f1; }
port_of() { local entry; for entry in "${SERVICES[@]}"; do [[ "${entry%%:*}" != "$1" ]] || echo "${entry##*:}"; done; }

# --- progress and failures ------------------------------------------------------------------

tenths() { local t="${EPOCHREALTIME//[.,]/}"; echo $((t / 100000)); }
since() { local d=$(($(tenths) - $1)); printf '%d.%ds' $((d / 10)) $((d % 10)); }

step() {  # $1 = what, $2 = where its log is, rest = the command
  local what="$1" log="$2" start
  shift 2
  start="$(tenths)"
  printf '==> %s\n' "$what"
  "$@"
  printf '    done in %s%s\n' "$(since "$start")" "${log:+ · log: $log}"
}

fail() {  # $1 = what failed, $2 = its log
  printf 'ERROR: %s\n' "$1" >&2
  if [[ -f "${2:-}" ]]; then
    printf -- '--- last 40 lines of %s ---\n' "$2" >&2
    tail -n 40 "$2" >&2
    printf -- '---\n' >&2
  fi
  printf 'What did start is still running, for a look; make down stops it.\n' >&2
  exit 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() {  # $1 = name, $2 = a word of its command line: prints the pid of our live process
  local pidfile="$RUN/$1.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

# --- the parts ------------------------------------------------------------------------------

postgres_up() {
  if [[ -n "${DATABASE_URL:-}" ]]; then echo "  using DATABASE_URL's server $(server_of "$(admin_url)")"
  else "$HERE/postgres.sh" start; fi
}

kafka_up() {
  if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then echo "  using KAFKA_BOOTSTRAP_SERVERS=$(bootstrap)"
  else "$HERE/kafka.sh" fetch && "$HERE/kafka.sh" start; fi
}

topics_up() { "$PY" -m clinic_platform.provisioning --bootstrap "$(bootstrap)"; }

mail_up() {  # a local SMTP catcher on :1025 (notifications' default): mails, decoded, in mail.log
  local pid
  if pid="$(alive mail aiosmtpd)"; then echo "  already running (pid $pid)"; return 0; fi
  port_open 1025 && fail "port 1025 is taken by another process: the SMTP catcher cannot listen"
  nohup "$PY" -u -m aiosmtpd -n -l 127.0.0.1:1025 -c clinic_demo.mailcatcher.MailLog "$RUN/mail" \
    >>"$RUN/mail.log" 2>&1 </dev/null &
  echo $! >"$RUN/mail.pid"
  echo "  started (pid $!) on 127.0.0.1:1025"
}

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

service_start() {  # $1 = name, $2 = port: migrate, then serve, in the background
  local name="$1" port="$2" pkg="${1//-/_}" pid log="$RUN/$1.log"
  if pid="$(alive "$name" "-m $pkg")"; then
    printf '  %-14s already running (pid %s)\n' "$name" "$pid"
    return 0
  fi
  port_open "$port" && fail "port $port is taken by another process: $name cannot listen"
  ensure_database "clinic_$pkg"
  # One process per service migrates, then serves (one interpreter start each), side by side.
  # shellcheck disable=SC2046
  env $(service_env "$name" "$port") nohup "$PY" -m "$pkg" serve --migrate \
    >"$log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  printf '  %-14s migrating, then serving (pid %s) · log: %s\n' "$name" "$!" "$log"
}

services_up() {
  local entry start
  start="$(tenths)"
  for entry in "${SERVICES[@]}"; do service_start "${entry%%:*}" "${entry##*:}"; done
  local deadline=$((SECONDS + READY_TIMEOUT)) pending=("${SERVICES[@]}") waiting name port
  local report=$((SECONDS + 15))
  while ((${#pending[@]})); do
    waiting=()
    for entry in "${pending[@]}"; do
      name="${entry%%:*}" port="${entry##*:}"
      if curl -fsS -m 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
        printf '  %-14s ready on :%s (%s)\n' "$name" "$port" "$(since "$start")"
      elif ! kill -0 "$(<"$RUN/$name.pid")" 2>/dev/null; then
        fail "$name exited during start-up" "$RUN/$name.log"
      elif ((SECONDS >= deadline)); then
        fail "$name was not ready within ${READY_TIMEOUT}s" "$RUN/$name.log"
      else
        waiting+=("$entry")
      fi
    done
    pending=("${waiting[@]}")
    ((${#pending[@]})) || break
    if ((SECONDS >= report)); then
      printf '  … still starting: %s (%s)\n' "${pending[*]%%:*}" "$(since "$start")"
      report=$((SECONDS + 15))
    fi
    sleep 0.3
  done
}

gateway_up() { "$HERE/gateway.sh" start; }  # the token verifier and nginx on :8080

gateway_down() { "$HERE/gateway.sh" stop; }

demo_up() {  # the demo clinic, through the gateway (or straight to the services without one)
  if [[ "${CLINIC_DEMO:-1}" == 0 ]]; then echo "  skipped (CLINIC_DEMO=0)"; return 0; fi
  local -a where=(--gateway "$GATEWAY_URL")
  curl -fsS -m 2 "$GATEWAY_URL/healthz" >/dev/null 2>&1 ||
    where=(--booking-url "http://127.0.0.1:$(port_of booking)"
      --schedules-url "http://127.0.0.1:$(port_of schedules)")
  "$PY" -m clinic_demo seed "${where[@]}" ||
    fail "seeding the demo clinic failed (the services' logs are in $RUN)"
}

next_steps() {
  local entry names=()
  for entry in "${SERVICES[@]}"; do names+=("${entry%%:*}"); done
  echo
  echo "The platform is up ($1). Next:"
  echo "  gateway     $GATEWAY_URL/api/v1/<service>/…  (${names[*]})"
  for entry in "${names[@]}"; do echo "  API docs    $GATEWAY_URL/api/v1/$entry/docs"; done
  cat <<EOF
  tokens      make token   (every demo role)  ·  TOKEN=\$(make -s token ROLE=patient)
  try it      README.md, "Quickstart": Dr. Chen's slots, then book one as a patient
  emails      tail -f $RUN/mail.log   (as received: $RUN/mail/*.eml)
  logs        $RUN/<service>.log  ·  make status  ·  make down stops everything
EOF
}

up() {
  local start
  start="$(tenths)"
  mkdir -p "$RUN"
  cd "$ROOT"
  echo "make up: the clinic platform on this machine; state and logs in $CLINIC_STATE_DIR"
  local pg_log="$CLINIC_STATE_DIR/postgres-$PG_PORT/postgres.log"
  local kafka_log="$CLINIC_STATE_DIR/kafka-$KAFKA_PORT/kafka.log"
  [[ -z "${DATABASE_URL:-}" ]] || pg_log=""
  [[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]] || kafka_log=""
  step "PostgreSQL on $(server_of "$(admin_url)")" "$pg_log" postgres_up
  step "Kafka on $(bootstrap)" "$kafka_log" kafka_up
  step "Kafka topics (from the contracts)" "" topics_up
  step "SMTP catcher on 127.0.0.1:1025" "$RUN/mail.log" mail_up
  step "services: ${SERVICES[*]}" "$RUN/<service>.log" services_up
  step "gateway on :8080" "$RUN/gateway.log" gateway_up
  step "demo clinic" "" demo_up
  next_steps "$(since "$start")"
}

# --- stopping -------------------------------------------------------------------------------

stop_process() {  # $1 = name, $2 = a word of its command line; TERM, then KILL after a while
  local name="$1" pid
  if ! pid="$(alive "$name" "$2")"; then rm -f "$RUN/$name.pid"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "  $name (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$RUN/$name.pid"
  echo "  stopped $name (pid $pid)"
}

down() {
  local entry name
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"
    stop_process "$name" "-m ${name//-/_}" &
  done
  stop_process mail aiosmtpd &
  gateway_down &
  wait
  [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]] || "$HERE/kafka.sh" stop
  [[ -n "${DATABASE_URL:-}" ]] || "$HERE/postgres.sh" stop
  local taken=()
  for entry in "${SERVICES[@]}" gateway:8080 gateway-verifier:8090 mail:1025 kafka:"$KAFKA_PORT" \
    postgres:"$PG_PORT"; do
    port_open "${entry##*:}" && taken+=("${entry##*:} (${entry%%:*})")
  done
  if ((${#taken[@]})); then
    echo "WARNING: still listening, not by a process make up started: ${taken[*]}" >&2
  else
    echo "everything stopped; data kept in $CLINIC_STATE_DIR (delete it for a fresh start)"
  fi
}

status() {
  local entry name port pid
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}" port="${entry##*:}"
    if curl -fsS -m 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      echo "$name: ready on :$port (log $RUN/$name.log)"
    else echo "$name: not ready"; fi
  done
  "$HERE/gateway.sh" status || true
  if pid="$(alive mail aiosmtpd)"; then echo "SMTP catcher: running (pid $pid) on :1025, mail in $RUN/mail.log"
  else echo "SMTP catcher: stopped"; fi
  printf 'Kafka: '; "$HERE/kafka.sh" status || true
  printf 'PostgreSQL: '; "$HERE/postgres.sh" status || true
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
