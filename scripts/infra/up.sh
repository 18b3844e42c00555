#!/usr/bin/env bash
# Brings up the test infrastructure (PostgreSQL, then Kafka, then OpenSearch; chromium installed when
# missing), reusing what is running.
#
#   scripts/infra/up.sh [--fresh]      # --fresh wipes all three data dirs first
#
# stdout carries only KEY=value lines (also written to $BATON_INFRA_DIR/env), so
#   export $(scripts/infra/up.sh)
# works; progress and errors go to stderr.
set -euo pipefail

LOG_PREFIX=infra
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh
source "$HERE/lib.sh"

main() {
  case "${1:-}" in
    "" | --fresh) ;;
    *) echo "usage: $0 [--fresh]" >&2; exit 2 ;;
  esac
  # PostgreSQL first: it binds its port before Kafka's connections take ports of the ephemeral range.
  "$HERE/postgres/start.sh" "$@" >&2
  "$HERE/kafka/start.sh" "$@" >&2
  "$HERE/opensearch/start.sh" "$@" >&2
  # The web UI's end-to-end tests drive Debian's chromium (installed once, when missing).
  local chromium
  chromium="$("$HERE/chromium.sh")"

  local env_file
  env_file="$(infra_dir)/env"
  cat > "$env_file" <<ENV
KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}
DATABASE_URL=postgres://baton:baton@127.0.0.1:${PGPORT:-55432}/baton
OPENSEARCH_URL=http://127.0.0.1:${OPENSEARCH_PORT:-9200}
$chromium
ENV
  cat "$env_file"
}

main "$@"
