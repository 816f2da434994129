#!/usr/bin/env bash
# Installs the independent-implementation side of Sigil's interop tests:
#   * node_modules/  via `npm ci` (from package-lock.json)
#   * .venv/         via `python3 -m venv` + `pip install -r requirements.txt`
# Idempotent: each step is skipped while its lock/requirements file is
# unchanged since the last successful install (hash stamps below).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

say() { echo "interop setup: $*" >&2; }
die() { say "error: $*"; exit 1; }

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else die "need root to run: $*"; fi
}

# ---------------------------------------------------------------- node side
command -v node >/dev/null 2>&1 || die "node not found (need Node >= 20)"
command -v npm >/dev/null 2>&1 || die "npm not found"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node >= 20 required, found $(node --version)"

node_stamp="node_modules/.sigil-lock.sha256"
want="$(hash_of package-lock.json)"
if [ ! -f "$node_stamp" ] || [ "$(cat "$node_stamp")" != "$want" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$node_stamp"
fi

# -------------------------------------------------------------- python side
command -v python3 >/dev/null 2>&1 || die "python3 not found"
venv_stamp=".venv/.sigil-requirements.sha256"
want="$(hash_of requirements.txt)"

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys' 2>/dev/null \
   || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  # Debian splits venv/ensurepip into python3-venv (python3.X-venv)
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 \
      || die "python3 lacks venv/ensurepip and apt-get is not available"
    say "installing python3-venv (apt-get)"
    as_root apt-get update -qq >/dev/null
    pyver="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      python3-venv "python${pyver}-venv" >/dev/null 2>&1 \
      || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        python3-venv >/dev/null
  fi
  say "creating .venv"
  rm -rf .venv
  python3 -m venv .venv
fi

if [ ! -f "$venv_stamp" ] || [ "$(cat "$venv_stamp")" != "$want" ]; then
  say "pip install -r requirements.txt"
  .venv/bin/python -m pip install -q --disable-pip-version-check \
    --no-input -r requirements.txt
  echo "$want" > "$venv_stamp"
fi
