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
