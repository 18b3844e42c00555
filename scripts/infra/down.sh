#!/usr/bin/env bash
# Stops what up.sh started (same BATON_INFRA_DIR). Data is kept; `up.sh --fresh` wipes it.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"

# Try each even if one fails, so one stuck service does not leave the others running.
rc=0
"$HERE/postgres/stop.sh" || rc=1
"$HERE/kafka/stop.sh" || rc=1
"$HERE/opensearch/stop.sh" || rc=1
exit "$rc"
