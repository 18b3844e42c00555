# shellcheck shell=bash
# Shared helpers for the scripts under scripts/infra/. Sourced, never executed.
# Callers set LOG_PREFIX (e.g. "kafka") before sourcing.

INFRA_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_SCRIPTS_DIR/../.." && pwd)"

say() { echo "${LOG_PREFIX:-infra}: $*"; }
warn() { echo "${LOG_PREFIX:-infra}: warning: $*" >&2; }
die() { echo "${LOG_PREFIX:-infra}: error: $*" >&2; exit 1; }

# Absolute path of the state dir, created on first use. It lives inside the repo by
# default, so it ignores itself: that keeps it out of `git status` even before the
# root .gitignore knows about it.
infra_dir() {
  local dir="${BATON_INFRA_DIR:-$REPO_ROOT/.infra}"
  mkdir -p "$dir" || die "cannot create BATON_INFRA_DIR=$dir"
  dir="$(cd "$dir" && pwd)"
  [ -f "$dir/.gitignore" ] || echo '*' > "$dir/.gitignore"
  echo "$dir"
}

# bash's /dev/tcp needs no extra tools (nc/ss are not guaranteed to be installed).
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# True when PID is alive and its command line contains NEEDLE: guards against a
# stale pid file whose number the kernel has since given to another process.
pid_matches() {
  local pid="${1:-}" needle="$2"
  pid_alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -F -- "$needle" > /dev/null  # not -q: an early exit can SIGPIPE tr under pipefail
}

# Serialises concurrent start/stop calls (e.g. several test workers running
# globalSetup at once). Uses fd 9: children that outlive us must be started with
# `9>&-`, or they would hold the lock for as long as they run.
# A script called by a lock holder (start.sh --fresh runs stop.sh) inherits
# BATON_INFRA_LOCK_HELD and must not wait for the lock its parent holds.
take_lock() {
  local lockfile="$1"
  [ "${BATON_INFRA_LOCK_HELD:-}" = "$lockfile" ] && return 0
  command -v flock >/dev/null || return 0
  exec 9>"$lockfile"
  flock -w 180 9 || die "timed out waiting for lock $lockfile"
  export BATON_INFRA_LOCK_HELD="$lockfile"
}

now_ms() { date +%s%3N; }
elapsed_s() { local ms=$(( $(now_ms) - $1 )); printf '%d.%01ds' $((ms / 1000)) $(((ms % 1000) / 100)); }

# ---- the lifecycle of a service started from jars (kafka/, opensearch/) -------------------------------
# A start.sh defines these, then calls `jar_service_main "$@"`:
#   variables: SERVICE (what to call it: broker, node), PRODUCT (Kafka, OpenSearch), PORT_VAR (the variable
#              that moves its port), HOST, PORT, RUN, DATA, PIDFILE, READY_TIMEOUT_S, and FAILED_KILL_SIGNAL
#              (what a launch that never became ready is stopped with: TERM, or KILL for a JVM whose
#              shutdown hook would wait on what never started)
#   functions: usage, init_paths, check_tools, our_pid (the pid of the one this script started, if it runs),
#              running_port (the port it was configured with), ready_probe TIMEOUT_S [PID],
#              server_log (its log file), where (how to say where it listens),
#              before_launch (checks that need the port free; may be a no-op), launch_steps (fetch,
#              configure, launch: leaves the new pid in PIDFILE)

# wait_started PID ON_FAILURE: "kill" for a service just launched (no half-started JVM left behind), "keep"
# for one an earlier call started.
wait_started() {
  local pid="$1" on_failure="$2"
  if ! ready_probe "$READY_TIMEOUT_S" "$pid"; then
    echo "--- last lines of $(server_log):" >&2
    tail -n 40 "$(server_log)" >&2 || true
    [ "$on_failure" = kill ] && pid_alive "$pid" && kill "-${FAILED_KILL_SIGNAL:-TERM}" "$pid" 2>/dev/null
    die "$SERVICE did not become ready within ${READY_TIMEOUT_S}s"
  fi
}

# Ours running (on the asked port): wait until it is ready. Another working one on the port: reuse it.
# Neither: launch, and wait until it is ready. --fresh stops ours and wipes its data first.
jar_service_main() {
  local fresh=0
  case "${1:-}" in
    "") ;;
    --fresh) fresh=1 ;;
    *) usage ;;
  esac
  init_paths
  check_tools
  take_lock "$RUN/.lock"

  if [ "$fresh" = 1 ]; then
    "$HERE/stop.sh"
    rm -rf "$DATA"
  fi

  local pid
  if pid="$(our_pid)"; then
    # Its config is only rewritten before a launch: the port it names is the running one's.
    local running
    running="$(running_port)"
    [ "$running" = "$PORT" ] ||
      die "our $SERVICE (pid $pid) runs on port $running, not $PORT; run $LOG_PREFIX/stop.sh first"
    # Ours, possibly still starting up from a concurrent call.
    wait_started "$pid" keep
    say "already running $(where) (pid $pid)"
    return 0
  fi

  if port_open "$HOST" "$PORT"; then
    [ "$fresh" = 0 ] || die "--fresh given, but $HOST:$PORT is served by a process this script did not start"
    ready_probe 10 || die "$HOST:$PORT is in use by something that is not a working $PRODUCT; free it or set $PORT_VAR"
    say "already running $(where) (not started by this script; reusing it)"
    return 0
  fi
  before_launch

  local started
  started="$(now_ms)"
  launch_steps
  pid="$(cat "$PIDFILE")"
  wait_started "$pid" kill
  say "up $(where) (pid $pid, $(elapsed_s "$started"))"
}

# terminate PID WHAT TIMEOUT_S: SIGTERM (the JVM's shutdown hook closes cleanly, so the next start needs no
# recovery), then SIGKILL after TIMEOUT_S for a wedged one. Succeeds when it exited on SIGTERM; fails
# (status 1) when it had to be killed.
terminate() {
  local pid="$1" what="$2" timeout_s="$3" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout_s * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "$what (pid $pid) ignored SIGTERM for ${timeout_s}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
  pid_alive "$pid" && die "could not kill $what pid $pid"
  return 1
}
