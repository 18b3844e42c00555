#!/usr/bin/env bash
# Starts (or reuses) a single OpenSearch 2.19 node for tests, from Maven Central jars.
#
#   scripts/infra/opensearch/start.sh [--fresh]
#
# env: OPENSEARCH_PORT (9200; HTTP), OPENSEARCH_TRANSPORT_PORT (9300-9399; a port or a range),
#      OPENSEARCH_HEAP (512m), OPENSEARCH_JAVA_OPTS (extra JVM flags, appended: later flags win),
#      OPENSEARCH_CDS (1; 0 turns the class-data archive off), BATON_INFRA_DIR (<repo>/.infra),
#      JAVA_HOME (optional). Needs a JDK, not only a JRE: javac and jar build the launcher once.
# --fresh: stop our node and wipe its data (the jar cache and the class-data archive are kept).
set -euo pipefail

LOG_PREFIX=opensearch
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

PORT="${OPENSEARCH_PORT:-9200}"
TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9300-9399}"
HEAP="${OPENSEARCH_HEAP:-512m}"
HOST=127.0.0.1
URL="http://$HOST:$PORT"
READY_TIMEOUT_S=120
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
JAR="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
MAIN_CLASS=baton.testinfra.EmbeddedOpenSearch

usage() { echo "usage: $0 [--fresh]" >&2; exit 2; }

init_paths() {
  INFRA="$(infra_dir)"
  RUN="$INFRA/opensearch"
  LIBS="$RUN/libs"
  LAUNCHER="$RUN/launcher"
  CDS_DIR="$RUN/cds"
  CONF_DIR="$RUN/config"
  CONF="$CONF_DIR/opensearch.yml"
  DATA="$RUN/data"
  LOGS="$RUN/logs"
  PIDFILE="$RUN/opensearch.pid"
  mkdir -p "$RUN" "$LOGS"
}

our_pid() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  # The home dir is unique to this BATON_INFRA_DIR, so it identifies our node.
  pid_matches "$pid" "$MAIN_CLASS $RUN" && echo "$pid"
}

check_tools() {
  command -v node >/dev/null || die "node is not on PATH (needed for the readiness check)"
  command -v "$JAVA" >/dev/null || die "java not found (need Java 17+; set JAVA_HOME)"
  JAVA_VERSION="$("$JAVA" -version 2>&1)"
  local major
  major="$(sed -n '1s/.*version "\([0-9]*\).*/\1/p' <<<"$JAVA_VERSION")"
  # OpenSearch 2.19 supports Java 11, 17 and 21; 17 is what the project's machines run.
  [ "${major:-0}" -ge 17 ] || die "need Java 17+, but $JAVA is version ${major:-unknown}"
  [ "$major" -le 21 ] || warn "OpenSearch 2.19 supports Java up to 21; $JAVA is $major (untested)"
  JAVA_MAJOR="$major"
  case "$PORT" in '' | *[!0-9]*) die "OPENSEARCH_PORT must be a port number (got '$PORT')" ;; esac
  case "$TRANSPORT_PORT" in
    '' | *[!0-9-]*) die "OPENSEARCH_TRANSPORT_PORT must be a port or a range like 9300-9399 (got '$TRANSPORT_PORT')" ;;
  esac
}

# Exit code 3 from the probe: something answers on the port, but it is not OpenSearch.
# With a pid (our node), the test defaults are applied too (wait-ready.mjs --set-defaults).
opensearch_ready() {
  local timeout_s="$1" pid="${2:-}"
  node "$HERE/wait-ready.mjs" ${pid:+--set-defaults} "$URL" "$timeout_s" ${pid:+"$pid"}
}

# The jar set is keyed on the pom's content, so bumping the version in pom.xml refetches; otherwise the
# copied jars are reused and Maven is not even started.
ensure_jars() {
  local stamp
  stamp="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  [ "$(cat "$LIBS/.pom-sha256" 2>/dev/null || true)" = "$stamp" ] && return 0
  command -v mvn >/dev/null || die "mvn not found: it is needed once to fetch the OpenSearch jars"
  say "fetching OpenSearch jars with Maven into $LIBS (first run only)"
  local started; started="$(now_ms)"
  rm -rf "$LIBS.tmp"
  # Copy into a temp dir and rename, so an interrupted fetch never looks complete.
  if ! mvn -B -q -Dstyle.color=never -f "$HERE/pom.xml" -Dopensearch.libs.dir="$LIBS.tmp" \
      dependency:copy-dependencies > "$LOGS/mvn.log" 2>&1; then
    tail -n 30 "$LOGS/mvn.log" >&2
    die "Maven could not fetch the OpenSearch jars (full log: $LOGS/mvn.log)"
  fi
  ls "$LIBS.tmp"/opensearch-2.*.jar >/dev/null 2>&1 || die "Maven ran but no opensearch jar arrived in $LIBS.tmp"
  echo "$stamp" > "$LIBS.tmp/.pom-sha256"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
  say "jars fetched in $(elapsed_s "$started")"
}

# The launcher is compiled once per (pom, source) and kept as a jar: the class-data archive below
# refuses a classpath with a non-empty directory on it.
ensure_launcher() {
  local stamp
  stamp="$(cat "$HERE/pom.xml" "$HERE/EmbeddedOpenSearch.java" | sha256sum | cut -d' ' -f1)"
  LAUNCHER_STAMP="$stamp"
  [ "$(cat "$LAUNCHER/.stamp" 2>/dev/null || true)" = "$stamp" ] && [ -f "$LAUNCHER/launcher.jar" ] && return 0
  command -v "$JAVAC" >/dev/null || die "javac not found: a JDK 17+ is needed (not only a JRE); set JAVA_HOME to one"
  command -v "$JAR" >/dev/null || die "jar not found next to javac; set JAVA_HOME to a full JDK"
  local tmp="$LAUNCHER.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp/classes"
  # --release 17: runnable on the java next to it even if javac comes from a newer JDK.
  if ! "$JAVAC" --release 17 -nowarn -encoding UTF-8 -cp "$LIBS/*" -d "$tmp/classes" \
      "$HERE/EmbeddedOpenSearch.java" > "$LOGS/javac.log" 2>&1 ||
    ! "$JAR" --create --file "$tmp/launcher.jar" -C "$tmp/classes" . >> "$LOGS/javac.log" 2>&1; then
    cat "$LOGS/javac.log" >&2
    die "building the launcher from EmbeddedOpenSearch.java failed"
  fi
  rm -rf "$tmp/classes"
  echo "$stamp" > "$tmp/.stamp"
  rm -rf "$LAUNCHER"
  mv "$tmp" "$LAUNCHER"
}

write_config() {
  local tpl
  mkdir -p "$CONF_DIR"
  tpl="$(cat "$HERE/opensearch.yml")"
  tpl="${tpl//@OPENSEARCH_PORT@/$PORT}"
  tpl="${tpl//@OPENSEARCH_TRANSPORT_PORT@/$TRANSPORT_PORT}"
  tpl="${tpl//@OPENSEARCH_DATA_DIR@/$DATA}"
  tpl="${tpl//@OPENSEARCH_LOGS_DIR@/$LOGS}"
  printf '%s\n' "$tpl" > "$CONF"
  cp "$HERE/log4j2.properties" "$CONF_DIR/log4j2.properties"
}

# Class-data sharing (AppCDS): most of a start is loading and verifying ~15k classes. The first node
# records the classes it loaded in an archive when it exits cleanly (stop.sh renames the .partial file
# once the JVM is gone); later starts map that archive. Keyed on the launcher (pom + source) and the exact
# JVM, which must both match. A stale or broken archive is only a warning: the JVM runs without it.
cds_opts() {
  CDS_OPTS=()
  [ "${OPENSEARCH_CDS:-1}" != 0 ] || return 0
  local key archive
  key="$(printf '%s\n%s\n' "$LAUNCHER_STAMP" "$JAVA_VERSION" | sha256sum | cut -c1-16)"
  archive="$CDS_DIR/opensearch-$key.jsa"
  mkdir -p "$CDS_DIR"
  if [ -f "$archive" ]; then
    CDS_OPTS=("-XX:SharedArchiveFile=$archive")
  else
    # Another key's archive (older pom or JVM) or a dump that never finished: ~80 MB each, drop them.
    rm -f "$CDS_DIR"/*.jsa "$CDS_DIR"/*.jsa.partial
    CDS_OPTS=("-XX:ArchiveClassesAtExit=$archive.partial")
  fi
  # The dump warns about every class it cannot archive (pre-Java-6 bytecode, generated classes).
  CDS_OPTS+=("-Xlog:cds*=error")
}

java_opts() {
  mkdir -p "$RUN/tmp"
  JAVA_OPTS=(
    "-Xms$HEAP" "-Xmx$HEAP"
    # The distribution's launcher adds these (config/jvm.options and its built-in system options); a
    # plain `java` does not. Left out: -XX:+AlwaysPreTouch (slow start, whole heap resident at once).
    -XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30
    -Xss1m -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djna.nosys=true
    -XX:-OmitStackTraceInFastThrow -XX:+ShowCodeDetailsInExceptionMessages
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0
    -Dio.netty.allocator.numDirectArenas=0
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true
    "-Djava.io.tmpdir=$RUN/tmp"
    -XX:+ExitOnOutOfMemoryError
    # Test node, not a server: C1 only. On 2 busy cores the C2 compiler threads compete with startup for
    # CPU; this halves the time to ready. Steady-state speed is lower, which tests do not notice. For a
    # benchmark: OPENSEARCH_JAVA_OPTS=-XX:TieredStopAtLevel=4.
    -XX:TieredStopAtLevel=1
  )
  # The distribution's date parsing relies on the COMPAT locale data, which JDK 23 removed.
  [ "$JAVA_MAJOR" -ge 23 ] || JAVA_OPTS+=("-Djava.locale.providers=SPI,COMPAT")
  JAVA_OPTS+=("${CDS_OPTS[@]}")
  # shellcheck disable=SC2206 # word-split on purpose, like the distribution's OPENSEARCH_JAVA_OPTS
  [ -z "${OPENSEARCH_JAVA_OPTS:-}" ] || JAVA_OPTS+=($OPENSEARCH_JAVA_OPTS)
  JAVA_OPTS+=(-cp "$LIBS/*:$LAUNCHER/launcher.jar")
}

launch() {
  # setsid + nohup: the node must outlive the calling shell and its terminal.
  # 9>&- keeps the start/stop lock from being inherited by the node.
  echo "--- start $(date -u +%FT%TZ)" >> "$LOGS/opensearch.log"
  nohup setsid "$JAVA" "${JAVA_OPTS[@]}" "$MAIN_CLASS" "$RUN" \
    >> "$LOGS/opensearch.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$PIDFILE"
}

# on_failure: "kill" for a node we just launched (don't leave a half-started JVM behind), "keep" for one
# an earlier call started.
# What the shared lifecycle (lib.sh, jar_service_main) needs. A launch that never became ready is killed
# outright: its shutdown hook would wait on a node that never started.
SERVICE=node
PRODUCT=OpenSearch
PORT_VAR=OPENSEARCH_PORT
FAILED_KILL_SIGNAL=KILL
where() { echo "at $URL"; }
running_port() { sed -n 's/^http\.port: *\([0-9]*\).*/\1/p' "$CONF"; }
ready_probe() { opensearch_ready "$@"; }
server_log() { echo "$LOGS/opensearch.log"; }
before_launch() { :; }
launch_steps() {
  ensure_jars
  ensure_launcher
  write_config
  cds_opts
  java_opts
  launch
}

jar_service_main "$@"
