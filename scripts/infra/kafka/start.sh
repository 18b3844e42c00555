#!/usr/bin/env bash
# Starts (or reuses) a single-node KRaft Kafka broker for tests, from Maven Central jars.
#
#   scripts/infra/kafka/start.sh [--fresh]
#
# env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), BATON_INFRA_DIR (<repo>/.infra),
#      JAVA_HOME (optional), NODE_PATH (only if kafkajs is not in the repo's node_modules)
# --fresh: stop our broker and wipe its data (the jar cache is kept).
set -euo pipefail

LOG_PREFIX=kafka
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
HOST=127.0.0.1
READY_TIMEOUT_S=90
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

usage() { echo "usage: $0 [--fresh]" >&2; exit 2; }

init_paths() {
  INFRA="$(infra_dir)"
  RUN="$INFRA/kafka"
  LIBS="$RUN/libs"
  DATA="$RUN/data"
  LOGS="$RUN/logs"
  PIDFILE="$RUN/kafka.pid"
  CONF="$RUN/server.properties"
  mkdir -p "$RUN" "$LOGS"
}

our_pid() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  # The config path is unique to this BATON_INFRA_DIR, so it identifies our broker.
  pid_matches "$pid" "$CONF" && echo "$pid"
}

check_tools() {
  command -v node >/dev/null || die "node is not on PATH (needed for the readiness check)"
  command -v "$JAVA" >/dev/null || die "java not found (need Java 17+; set JAVA_HOME)"
  local major
  major="$("$JAVA" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
  # Kafka 4.x brokers refuse to run on Java < 17.
  [ "${major:-0}" -ge 17 ] || die "Kafka 4.x needs Java 17+, but $JAVA is version ${major:-unknown}"
  # Without the client there is no readiness check: fail before launching anything.
  node "$HERE/wait-ready.mjs" --check-client || exit 1
}

# Metadata check with a real client; exit code 2 from the probe means kafkajs itself is
# missing, which no amount of waiting will fix.
kafka_ready() {
  local timeout_s="$1" pid="${2:-}" rc=0
  node "$HERE/wait-ready.mjs" "$HOST:$PORT" "$timeout_s" ${pid:+"$pid"} || rc=$?
  [ "$rc" -ne 2 ] || exit 1
  return "$rc"
}

# The jar set is keyed on the pom's content, so bumping the Kafka version in pom.xml
# refetches; otherwise the copied jars are reused and Maven is not even started.
ensure_jars() {
  local stamp
  stamp="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  [ "$(cat "$LIBS/.pom-sha256" 2>/dev/null || true)" = "$stamp" ] && return 0
  command -v mvn >/dev/null || die "mvn not found: it is needed once to fetch the broker jars"
  say "fetching broker jars with Maven into $LIBS (first run only)"
  local started; started="$(now_ms)"
  rm -rf "$LIBS.tmp"
  # Copy into a temp dir and rename, so an interrupted fetch never looks complete.
  if ! mvn -B -q -Dstyle.color=never -f "$HERE/pom.xml" -Dkafka.libs.dir="$LIBS.tmp" \
      dependency:copy-dependencies > "$LOGS/mvn.log" 2>&1; then
    tail -n 30 "$LOGS/mvn.log" >&2
    die "Maven could not fetch the Kafka jars (full log: $LOGS/mvn.log)"
  fi
  ls "$LIBS.tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "Maven ran but no kafka_2.13 jar arrived in $LIBS.tmp"
  echo "$stamp" > "$LIBS.tmp/.pom-sha256"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
  say "jars fetched in $(elapsed_s "$started")"
}

write_config() {
  local tpl
  tpl="$(cat "$HERE/server.properties")"
  tpl="${tpl//@KAFKA_PORT@/$PORT}"
  tpl="${tpl//@KAFKA_CONTROLLER_PORT@/$CPORT}"
  tpl="${tpl//@KAFKA_DATA_DIR@/$DATA}"
  printf '%s\n' "$tpl" > "$CONF"
}

java_opts() {
  JAVA_OPTS=(
    -Xms256m -Xmx512m
    # The flags kafka-run-class.sh uses by default.
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true
    -XX:+ExitOnOutOfMemoryError
    "-Dkafka.logs.dir=$LOGS"
    "-Dlog4j2.configurationFile=$HERE/log4j2.properties"
    -cp "$LIBS/*"
  )
}

# Kafka accepts a 16-byte base64url id; making it here saves a JVM start
# (StorageTool random-uuid). A leading '-' is avoided as Kafka's own generator does,
# since it would read as a command-line flag.
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    [ "${id:0:1}" != "-" ] && { echo "$id"; return; }
  done
}

# Formatting happens once; the data dir (topics, offsets) survives restarts.
ensure_formatted() {
  [ -f "$DATA/meta.properties" ] && return 0
  # A data dir without meta.properties is the leftover of a failed format.
  rm -rf "$DATA"
  mkdir -p "$DATA"
  if ! "$JAVA" "${JAVA_OPTS[@]}" kafka.tools.StorageTool format \
      -t "$(random_cluster_id)" -c "$CONF" > "$LOGS/format.log" 2>&1; then
    cat "$LOGS/format.log" >&2
    rm -rf "$DATA"
    die "formatting the KRaft storage failed"
  fi
}

launch() {
  # setsid + nohup: the broker must outlive the calling shell and its terminal.
  # 9>&- keeps the start/stop lock from being inherited by the broker.
  nohup setsid "$JAVA" "${JAVA_OPTS[@]}" kafka.Kafka "$CONF" \
    >> "$LOGS/server.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$PIDFILE"
}

# What the shared lifecycle (lib.sh, jar_service_main) needs.
SERVICE=broker
PRODUCT=Kafka
PORT_VAR=KAFKA_PORT
FAILED_KILL_SIGNAL=TERM
where() { echo "on $HOST:$PORT"; }
running_port() { sed -n 's/^advertised.listeners=PLAINTEXT:\/\/[^:]*:\([0-9]*\).*/\1/p' "$CONF"; }
ready_probe() { kafka_ready "$@"; }
server_log() { echo "$LOGS/server.log"; }
before_launch() {
  if port_open "$HOST" "$CPORT"; then die "controller port $HOST:$CPORT is in use; free it or set KAFKA_CONTROLLER_PORT"; fi
}
launch_steps() {
  ensure_jars
  write_config
  java_opts
  ensure_formatted
  launch
}

jar_service_main "$@"
