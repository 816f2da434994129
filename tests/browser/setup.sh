#!/usr/bin/env bash
# Installs the browser tests' side: playwright-core from npm (package-lock.json), which drives
# Debian's chromium (installed by scripts/install-deps.sh). Skipped while the lock file is
# unchanged since the last successful install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v chromium >/dev/null 2>&1 || { echo "browser setup: chromium not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
stamp="node_modules/.sigil-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "browser setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
fi
