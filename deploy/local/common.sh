# Helpers shared by kafka.sh and postgres.sh; the sourcing script sets SCRIPT_NAME and LOG_FILE.
# shellcheck shell=bash

log() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }

die() {
  log "ERROR: $*"
  exit 1
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    log "last 60 lines of $LOG_FILE:"
    tail -n 60 "$LOG_FILE" >&2
  else
    log "(no log file at $LOG_FILE)"
  fi
}

cmd_logs() {
  [[ -f "$LOG_FILE" ]] || die "no log file at $LOG_FILE"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 100 -f "$LOG_FILE"
  fi
  tail -n "${LOG_LINES:-200}" "$LOG_FILE"
}
