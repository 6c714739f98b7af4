#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 (trust auth, superuser `postgres`), run from the
# machine's PostgreSQL binaries (no Docker needed).
#
# Usage: deploy/local/postgres.sh {start|stop|status|logs [-f]|url}
#
# Environment:
#   PG_PORT           port                                  (default 5433)
#   CLINIC_STATE_DIR  state root                            (default /tmp/clinic-platform);
#                     data and log live in $CLINIC_STATE_DIR/postgres-$PG_PORT/
#   PG_BIN            PostgreSQL bin dir                    (default: the highest
#                     /usr/lib/postgresql/*/bin, else `pg_config --bindir`)
#   PG_RUN_USER       OS user that runs the server when this script runs as root
#                     (default postgres; PostgreSQL refuses to run as root)
#   CLINIC_PG_FAST=1  fsync/synchronous_commit/full_page_writes off (tests only: not crash safe)
#   PG_START_TIMEOUT  seconds to wait for pg_isready        (default 30)
#
# The server listens on TCP 127.0.0.1:$PG_PORT and on a Unix socket in its data directory.
# Admin URL: postgresql://postgres@127.0.0.1:$PG_PORT/postgres
set -euo pipefail

PG_PORT="${PG_PORT:-5433}"
CLINIC_STATE_DIR="${CLINIC_STATE_DIR:-/tmp/clinic-platform}"
STATE="$CLINIC_STATE_DIR/postgres-$PG_PORT"
DATA_DIR="$STATE/data"
LOG_FILE="$STATE/postgres.log"
START_TIMEOUT="${PG_START_TIMEOUT:-30}"

export SCRIPT_NAME=postgres.sh  # read by common.sh
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/pg_ctl" ]] || die "PG_BIN=$PG_BIN has no pg_ctl"
    printf '%s\n' "$PG_BIN"
    return 0
  fi
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$dir" && -x "$dir/pg_ctl" ]]; then
    printf '%s\n' "$dir"
    return 0
  fi
  if command -v pg_config >/dev/null; then
    dir="$(pg_config --bindir)"
    if [[ -x "$dir/pg_ctl" ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  fi
  die "no PostgreSQL server binaries found: install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16) or set PG_BIN to the directory holding initdb and pg_ctl"
}

BIN="$(find_bin)"

# As root, run the server's tools as an unprivileged user.
RUN_AS=()
if [[ "$EUID" -eq 0 ]]; then
  RUN_USER="${PG_RUN_USER:-postgres}"
  id -u "$RUN_USER" >/dev/null 2>&1 ||
    die "running as root needs an OS user '$RUN_USER' to run PostgreSQL (useradd --system $RUN_USER, or set PG_RUN_USER)"
  RUN_AS=(runuser -u "$RUN_USER" --)
else
  RUN_USER="$(id -un)"
fi

as_server_user() {
  # cd first: the caller's cwd (e.g. /root) may be unreadable for the server user.
  (cd "$STATE" && "${RUN_AS[@]}" "$@")
}

is_running() {
  [[ -f "$DATA_DIR/PG_VERSION" ]] && as_server_user "$BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

prepare_dirs() {
  mkdir -p "$CLINIC_STATE_DIR"
  chmod 0755 "$CLINIC_STATE_DIR" 2>/dev/null || true
  mkdir -p "$STATE"
  chmod 0755 "$STATE"
  touch "$LOG_FILE"
  if [[ "$EUID" -eq 0 ]]; then
    chown "$RUN_USER:" "$STATE" "$LOG_FILE"
    [[ -d "$DATA_DIR" ]] && chown -R "$RUN_USER:" "$DATA_DIR"
  fi
  as_server_user test -w "$STATE" ||
    die "$STATE is not reachable/writable by user '$RUN_USER': every parent directory must be traversable (e.g. not under a 0700 mktemp/tmp_path dir)"
}

cmd_start() {
  if is_running; then
    log "already running on 127.0.0.1:$PG_PORT (data in $DATA_DIR)"
    return 0
  fi
  port_open "$PG_PORT" && die "port 127.0.0.1:$PG_PORT is already in use by another process"
  prepare_dirs

  if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    log "initdb $DATA_DIR ($("$BIN/postgres" --version))"
    as_server_user "$BIN/initdb" -D "$DATA_DIR" -U postgres --auth=trust --no-sync -E UTF8 \
      --locale=C >>"$LOG_FILE" 2>&1 || {
      log_tail
      die "initdb failed"
    }
  fi

  local opts="-c listen_addresses=127.0.0.1 -p $PG_PORT -k '$DATA_DIR' -c max_connections=300"
  if [[ "${CLINIC_PG_FAST:-0}" == "1" ]]; then
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  log "starting on 127.0.0.1:$PG_PORT, data in $DATA_DIR"
  # pg_ctl -w waits for the postmaster (and notices an early exit); then check TCP as clients do.
  as_server_user "$BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t "$START_TIMEOUT" -o "$opts" \
    start >/dev/null || {
    log_tail
    die "PostgreSQL did not start within ${START_TIMEOUT}s"
  }
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; do
    if ((SECONDS >= deadline)); then
      log_tail
      die "PostgreSQL did not answer on 127.0.0.1:$PG_PORT within ${START_TIMEOUT}s"
    fi
    sleep 0.1
  done
  log "ready: postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
}

cmd_stop() {
  if ! is_running; then
    log "not running"
    return 0
  fi
  as_server_user "$BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 60 stop >/dev/null || {
    log_tail
    die "pg_ctl stop failed"
  }
  log "stopped (data kept in $DATA_DIR)"
}

cmd_status() {
  if is_running; then
    echo "running on 127.0.0.1:$PG_PORT, data in $DATA_DIR"
    return 0
  fi
  echo "stopped (state dir $STATE)"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs "${2:-}" ;;
  url) echo "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" ;;
  *)
    echo "usage: $0 {start|stop|status|logs [-f]|url}" >&2
    exit 2
    ;;
esac
