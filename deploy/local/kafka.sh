#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft, combined broker+controller) on 127.0.0.1, run from the
# server jars Maven fetches from Maven Central (no Docker needed).
#
# Usage: deploy/local/kafka.sh {fetch|start|stop|status|logs [-f]}
#
# Environment:
#   KAFKA_PORT             broker port                      (default 9092)
#   KAFKA_CONTROLLER_PORT  controller port                  (default: the one recorded in the
#                          state dir's server.properties, else 9093)
#   CLINIC_STATE_DIR       state root                       (default /tmp/clinic-platform);
#                          data, config, pid and log live in $CLINIC_STATE_DIR/kafka-$KAFKA_PORT/
#   KAFKA_NUM_PARTITIONS   num.partitions for new topics    (default 1)
#   KAFKA_FORMAT_FEATURES  extra `--feature` values for the first format, space separated,
#                          e.g. "transaction.version=1"     (default none)
#   KAFKA_HEAP_OPTS        broker heap                      (default -Xms256m -Xmx1g)
#   KAFKA_START_TIMEOUT    seconds to wait for the broker   (default 90)
#   JAVA_HOME              optional; otherwise `java` from PATH
#
# stop keeps the data directory: a later start on the same port keeps topics and offsets.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
KAFKA_DIR="$SCRIPT_DIR/kafka"
LIB_DIR="$KAFKA_DIR/lib"
LOG4J_CONFIG="$KAFKA_DIR/log4j2.properties"

KAFKA_PORT="${KAFKA_PORT:-9092}"
CLINIC_STATE_DIR="${CLINIC_STATE_DIR:-/tmp/clinic-platform}"
STATE="$CLINIC_STATE_DIR/kafka-$KAFKA_PORT"
DATA_DIR="$STATE/data"
CONFIG="$STATE/server.properties"
PID_FILE="$STATE/kafka.pid"
LOG_FILE="$STATE/kafka.log"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT=30
STARTED_LINE="Kafka Server started"

if [[ -n "${JAVA_HOME:-}" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

export SCRIPT_NAME=kafka.sh  # read by common.sh
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# --- helpers -------------------------------------------------------------------------------

controller_port() {
  if [[ -n "${KAFKA_CONTROLLER_PORT:-}" ]]; then
    printf '%s\n' "$KAFKA_CONTROLLER_PORT"
  elif [[ -f "$CONFIG" ]] && grep -q '^controller.quorum.bootstrap.servers=' "$CONFIG"; then
    # The voter set persisted at format time names this endpoint: keep it across restarts.
    sed -n 's/^controller.quorum.bootstrap.servers=.*:\([0-9][0-9]*\)$/\1/p' "$CONFIG"
  else
    printf '9093\n'
  fi
}

running_pid() {
  # Prints the broker's pid when the pid file names a live broker using our config.
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$CONFIG" || return 1
  printf '%s\n' "$pid"
}

pom_hash() {
  sha256sum "$KAFKA_DIR/pom.xml" | cut -d' ' -f1
}

lib_complete() {
  [[ -f "$LIB_DIR/.complete" ]] && [[ "$(<"$LIB_DIR/.complete")" == "$(pom_hash)" ]] &&
    compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null &&
    compgen -G "$LIB_DIR/log4j-slf4j-impl-*.jar" >/dev/null
}

new_cluster_id() {
  # 16 random bytes, URL-safe base64 without padding (22 characters). Like Kafka's
  # Uuid.randomUuid, never start with '-': the storage tool would parse it as an option.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" == -* ]] || break
  done
  printf '%s\n' "$id"
}

# --- commands ------------------------------------------------------------------------------

cmd_fetch() {
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven)"
  # Several sessions may fetch at once: serialise on a lock next to the pom.
  exec 8>"$KAFKA_DIR/.fetch.lock"
  flock 8
  if lib_complete; then
    log "jars already in $LIB_DIR"
    return 0
  fi
  log "fetching Kafka jars from Maven Central into $LIB_DIR ..."
  rm -rf "$LIB_DIR"
  # Quiet Maven still prints colour codes; its output matters only when it fails.
  local output
  output="$(cd "$KAFKA_DIR" && mvn -B -q dependency:copy-dependencies 2>&1)" || {
    printf '%s\n' "$output" >&2
    die "mvn dependency:copy-dependencies failed"
  }
  pom_hash >"$LIB_DIR/.complete"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars"
}

write_config() {
  local cport="$1"
  cat >"$CONFIG" <<EOF
# Written by deploy/local/kafka.sh: single-node KRaft broker+controller on loopback.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR

# One node: every replication factor and min ISR is 1.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Topics are provisioned explicitly; a typo must not create one.
auto.create.topics.enable=false
num.partitions=${KAFKA_NUM_PARTITIONS:-1}

# Fast first group join; a small log cleaner buffer for a small heap.
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=33554432
EOF
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local cluster_id feature
  local -a features=()
  cluster_id="$(new_cluster_id)"
  for feature in ${KAFKA_FORMAT_FEATURES:-}; do
    features+=(--feature "$feature")
  done
  log "formatting $DATA_DIR (cluster id $cluster_id${KAFKA_FORMAT_FEATURES:+, features: $KAFKA_FORMAT_FEATURES})"
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$LIB_DIR/*" \
    kafka.tools.StorageTool format --standalone --cluster-id="$cluster_id" \
    --config "$CONFIG" "${features[@]}" >>"$LOG_FILE" 2>&1 || {
    log_tail
    die "formatting the storage failed"
  }
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  command -v "$JAVA" >/dev/null || die "java not found: install a JDK 17+ (apt-get install openjdk-17-jre-headless)"
  lib_complete || cmd_fetch

  local cport p
  cport="$(controller_port)"
  for p in "$KAFKA_PORT" "$cport"; do
    port_open "$p" && die "port 127.0.0.1:$p is already in use by another process"
  done

  mkdir -p "$DATA_DIR"
  rm -f "$PID_FILE"
  write_config "$cport"
  format_storage

  local offset
  offset="$(($(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0) + 1))"
  local -a heap jvm_opts
  read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
  jvm_opts=(
    "${heap[@]}" -XX:TieredStopAtLevel=1 -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$LOG4J_CONFIG"
  )
  log "starting broker on 127.0.0.1:$KAFKA_PORT (controller $cport), data in $STATE"
  (
    cd "$STATE"
    nohup "$JAVA" "${jvm_opts[@]}" -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG" \
      </dev/null >>"$LOG_FILE" 2>&1 &
    printf '%s\n' "$!" >"$PID_FILE"
  )
  pid="$(<"$PID_FILE")"

  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$KAFKA_PORT" && tail -c +"$offset" "$LOG_FILE" | grep -qF "$STARTED_LINE"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log_tail
      die "the broker exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      log_tail
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      die "the broker was not ready within ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  log "started (pid $pid) in ${SECONDS}s: bootstrap servers 127.0.0.1:$KAFKA_PORT"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping broker (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still running after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PID_FILE"
  log "stopped (data kept in $DATA_DIR)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if port_open "$KAFKA_PORT"; then
      echo "running (pid $pid) on 127.0.0.1:$KAFKA_PORT, data in $DATA_DIR"
    else
      echo "starting (pid $pid), port $KAFKA_PORT not open yet"
    fi
    return 0
  fi
  echo "stopped (state dir $STATE)"
  return 3
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs "${2:-}" ;;
  *)
    echo "usage: $0 {fetch|start|stop|status|logs [-f]}" >&2
    exit 2
    ;;
esac
