#!/usr/bin/env bash
# Stops the broker started by start.sh (same BATON_INFRA_DIR). Data is kept.
# A Kafka on the port that this script did not start is left alone.
set -euo pipefail

LOG_PREFIX=kafka
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

# SIGTERM runs Kafka's shutdown hook (clean log close, no recovery on next start);
# SIGKILL is the fallback for a wedged JVM.
TERM_TIMEOUT_S=60

main() {
  local run pidfile conf pid
  run="$(infra_dir)/kafka"
  pidfile="$run/kafka.pid"
  conf="$run/server.properties"
  [ -d "$run" ] || return 0
  take_lock "$run/.lock"

  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if ! pid_matches "$pid" "$conf"; then
    rm -f "$pidfile"
    return 0
  fi

  local started; started="$(now_ms)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < TERM_TIMEOUT_S * 10; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    warn "broker (pid $pid) ignored SIGTERM for ${TERM_TIMEOUT_S}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
    pid_alive "$pid" && die "could not kill broker pid $pid"
  fi
  rm -f "$pidfile"
  say "stopped (pid $pid, $(elapsed_s "$started"))"
}

main "$@"
