#!/usr/bin/env bash
# Makes sure Debian's chromium is installed, for the web UI's end-to-end tests (driven by playwright-core,
# which downloads no browser of its own). Idempotent: does nothing when `chromium` is already there.
#
#   scripts/infra/chromium.sh          # prints CHROMIUM=<path> on stdout; progress on stderr
set -euo pipefail

LOG_PREFIX=chromium
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh
source "$HERE/lib.sh"

if ! command -v chromium >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || die "chromium is missing and there is no apt-get to install it with"
  say "installing Debian's chromium (apt-get)" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >&2 || die "apt-get could not install chromium"
fi
path="$(command -v chromium)"
say "$("$path" --version 2>/dev/null || echo chromium) at $path" >&2
echo "CHROMIUM=$path"
