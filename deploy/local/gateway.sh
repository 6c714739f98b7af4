#!/usr/bin/env bash
# The gateway on this machine, in front of the services of `make up`: the token verifier
# (`python -m clinic_platform.gateway serve`, :8090) and nginx (:8080).
#   deploy/local/gateway.sh start|stop|status
# Idempotent: start leaves running parts alone, stop is quiet when nothing runs.
# Settings: GATEWAY_* env vars (libs/platform/src/clinic_platform/gateway/settings.py), e.g.
# GATEWAY_CLIENT_RATE=50r/s; GATEWAY_UPSTREAMS names another upstreams file (default
# deploy/gateway/upstreams.conf, which also says where the verifier listens).
# State under $CLINIC_STATE_DIR/run: gateway/ (the rendered config), gateway.pid and
# gateway-verifier.pid, gateway.log and gateway-verifier.log.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CLINIC_STATE_DIR="${CLINIC_STATE_DIR:-/tmp/clinic-platform}"
RUN="$CLINIC_STATE_DIR/run"
CONF="$RUN/gateway"
PY="$ROOT/.venv/bin/python"
LISTEN_PORT="${GATEWAY_LISTEN_PORT:-8080}"
VERIFIER_PORT="${GATEWAY_HTTP_PORT:-8090}"
UPSTREAMS="${GATEWAY_UPSTREAMS:-$ROOT/deploy/gateway/upstreams.conf}"
# The route server's socket lives with the rest of this stack's state.
export GATEWAY_INNER_SOCKET="${GATEWAY_INNER_SOCKET:-$RUN/gateway-route.sock}"

log() { printf 'gateway.sh: %s\n' "$*" >&2; }

nginx_bin() {
  command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || return 1
}

running() {  # $1 = name of a pid file under $RUN
  [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null
}

wait_ready() {  # $1 = name, $2 = port
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && { echo "  $1 ready on :$2"; return 0; }
    running "$1" || break
    sleep 0.25
  done
  log "$1 did not become ready; last log lines:"; tail -n 40 "$RUN/$1.log" >&2; return 1
}

start_verifier() {
  if running gateway-verifier; then echo "  gateway-verifier already running"; return 0; fi
  GATEWAY_HTTP_PORT="$VERIFIER_PORT" nohup "$PY" -m clinic_platform.gateway serve \
    >"$RUN/gateway-verifier.log" 2>&1 </dev/null &
  echo $! >"$RUN/gateway-verifier.pid"
}

start_nginx() {  # $1 = the nginx binary
  if running gateway; then echo "  gateway already running"; return 0; fi
  "$PY" -m clinic_platform.gateway render "$ROOT/deploy/gateway" "$CONF" \
    --upstreams "$UPSTREAMS" >/dev/null
  "$1" -t -q -e stderr -p "$CONF" -c "$CONF/nginx.conf"
  rm -f "$GATEWAY_INNER_SOCKET"  # left behind only by an nginx that was killed
  nohup "$1" -e stderr -p "$CONF" -c "$CONF/nginx.conf" -g 'daemon off;' \
    >"$RUN/gateway.log" 2>&1 </dev/null &
  echo $! >"$RUN/gateway.pid"
}

start() {
  local nginx
  if ! nginx="$(nginx_bin)"; then
    echo "  gateway skipped: nginx is not installed (apt-get install nginx)"; return 0
  fi
  mkdir -p "$RUN"
  start_verifier
  start_nginx "$nginx"
  wait_ready gateway-verifier "$VERIFIER_PORT"
  wait_ready gateway "$LISTEN_PORT"
}

stop() {  # nginx first (SIGQUIT: finish what is in flight), then the verifier
  local name signal pid
  for entry in gateway:QUIT gateway-verifier:TERM; do
    name="${entry%%:*}" signal="${entry##*:}"
    [[ -f "$RUN/$name.pid" ]] || continue
    pid="$(cat "$RUN/$name.pid")"
    if kill "-$signal" "$pid" 2>/dev/null; then
      echo "  stopping $name"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    fi
    rm -f "$RUN/$name.pid"
  done
}

status() {
  local name port
  for entry in "gateway:$LISTEN_PORT" "gateway-verifier:$VERIFIER_PORT"; do
    name="${entry%%:*}" port="${entry##*:}"
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then echo "$name: ready on :$port"
    else echo "$name: not ready"; fi
  done
}

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
