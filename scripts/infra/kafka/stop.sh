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
  terminate "$pid" broker "$TERM_TIMEOUT_S" || true
  rm -f "$pidfile"
  say "stopped (pid $pid, $(elapsed_s "$started"))"
}

main "$@"
