#!/usr/bin/env bash
# Makes the Python virtualenv that runs the Conductor Python SDK round trip (test/sdk/python/), and prints the
# path of its python as the last line of stdout; everything else goes to stderr.
#
#   PY="$(scripts/sdk/python-env.sh | tail -n1)" && "$PY" test/sdk/python/sdk_roundtrip.py http://127.0.0.1:8080 5
#
# Idempotent and non-interactive. The venv lives in $BATON_INFRA_DIR/python-sdk-venv (default <repo>/.infra,
# which git ignores). test/sdk/python/requirements.txt is installed only when the venv is new, or when that
# file or the base interpreter changed since the last install (a stamp in the venv records both). The first
# run needs PyPI; later ones need nothing. Set BATON_PYTHON to use another interpreter than python3 (3.10+).
# Fails with a non-zero exit and a one-line reason when python3, venv, ensurepip or pip is missing.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQUIREMENTS="$REPO_ROOT/test/sdk/python/requirements.txt"
INFRA_DIR="${BATON_INFRA_DIR:-$REPO_ROOT/.infra}"
VENV="$INFRA_DIR/python-sdk-venv"
STAMP="$VENV/.baton-requirements.stamp"
PYTHON="${BATON_PYTHON:-python3}"

say() { echo "python-sdk-env: $*" >&2; }
die() { echo "python-sdk-env: error: $*" >&2; exit 1; }

[ -f "$REQUIREMENTS" ] || die "missing $REQUIREMENTS"
command -v "$PYTHON" >/dev/null 2>&1 \
  || die "$PYTHON not found: install Python 3.10+ (Debian/Ubuntu: apt-get install -y python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "$("$PYTHON" --version 2>&1) is too old: conductor-python 2.0.0 needs Python 3.10+ (set BATON_PYTHON to a newer one)"
"$PYTHON" -c 'import venv' 2>/dev/null \
  || die "$PYTHON has no venv module (Debian/Ubuntu: apt-get install -y python3-venv)"
# Debian's python3 ships the venv module without ensurepip, and `python3 -m venv` then leaves a venv with no pip.
"$PYTHON" -c 'import ensurepip' 2>/dev/null \
  || die "$PYTHON has no ensurepip, so python3 -m venv cannot install pip (Debian/Ubuntu: apt-get install -y python3-venv, or python$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv for this interpreter)"

mkdir -p "$INFRA_DIR" || die "cannot create $INFRA_DIR"
[ -f "$INFRA_DIR/.gitignore" ] || echo '*' > "$INFRA_DIR/.gitignore"

# Two runs at once (a CI step and a test's beforeAll) must not build the same venv together.
if command -v flock >/dev/null 2>&1; then
  exec 8>"$INFRA_DIR/python-sdk-venv.lock"
  flock -w 600 8 || die "timed out waiting for $INFRA_DIR/python-sdk-venv.lock"
fi

# What the venv was built from: the requirements and the base interpreter. Any difference means a new venv, so
# that nothing from an earlier set of packages lingers.
want="requirements $(sha256sum "$REQUIREMENTS" | cut -d' ' -f1); python $("$PYTHON" -c 'import sys; print(sys.version.split()[0], sys.executable)')"

if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$want" ] && "$VENV/bin/python" -c 'import conductor' 2>/dev/null; then
  say "up to date ($VENV)"
else
  if [ -e "$VENV" ]; then say "rebuilding $VENV (new requirements, another interpreter, or an unfinished install)"; fi
  rm -rf "$VENV"
  say "creating $VENV with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv "$VENV" >&2 || { rm -rf "$VENV"; die "$PYTHON -m venv failed (Debian/Ubuntu: apt-get install -y python3-venv)"; }
  "$VENV/bin/python" -m pip --version >/dev/null 2>&1 \
    || { rm -rf "$VENV"; die "the new venv has no pip: ensurepip failed (Debian/Ubuntu: apt-get install -y python3-venv)"; }
  say "installing $(grep -m1 '^conductor-python==' "$REQUIREMENTS") and its pinned dependencies"
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$VENV/bin/python" -m pip install --quiet --requirement "$REQUIREMENTS" >&2 \
    || die "pip install --requirement $REQUIREMENTS failed (is PyPI reachable?)"
  "$VENV/bin/python" -m pip check >&2 || die "the installed packages do not fit together (pip check)"
  "$VENV/bin/python" -c 'import conductor.client.automator.task_handler' || die "conductor-python was installed but does not import"
  # Written last: an install that stopped half-way has no stamp and is redone next time.
  echo "$want" > "$STAMP"
  say "ready"
fi

echo "$VENV/bin/python"
