#!/usr/bin/env bash
# Stops the node started by start.sh (same BATON_INFRA_DIR). Data is kept.
# An OpenSearch on the port that this script did not start is left alone.
set -euo pipefail

LOG_PREFIX=opensearch
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

# SIGTERM runs the launcher's shutdown hook (Node.close: flush, release the data dir's lock, so the next
# start needs no recovery); SIGKILL is the fallback for a wedged JVM. The first node's exit also writes the
# class-data archive (start.sh, cds_opts), which adds a second or two once.
TERM_TIMEOUT_S=60

main() {
  local run pidfile pid
  run="$(infra_dir)/opensearch"
  pidfile="$run/opensearch.pid"
  [ -d "$run" ] || return 0
  take_lock "$run/.lock"

  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if ! pid_matches "$pid" "baton.testinfra.EmbeddedOpenSearch $run"; then
    rm -f "$pidfile"
    return 0
  fi

  local started archive
  started="$(now_ms)"
  if terminate "$pid" node "$TERM_TIMEOUT_S"; then
    # A clean exit has finished writing the class-data archive that start.sh asked for (if it did):
    # only now is it safe for the next start to map it.
    for archive in "$run"/cds/*.jsa.partial; do
      [ -s "$archive" ] && mv -f "$archive" "${archive%.partial}"
    done
  else
    rm -f "$run"/cds/*.jsa.partial
  fi
  rm -f "$pidfile"
  say "stopped (pid $pid, $(elapsed_s "$started"))"
}

main "$@"
