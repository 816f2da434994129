#!/usr/bin/env bash
# Runs every Sigil test on a fresh machine: installs what the tests need (system packages
# including chromium, the npm and PyPI libraries of the interop and browser tests), builds the
# binaries the end-to-end tests run, holds the code to the workspace's clippy lints and the
# dependency tree to deny.toml, then runs the whole workspace's tests — the fuzz targets of
# sigil-fuzz among them, each for a few seconds (SIGIL_FUZZ_SECONDS), and the registry's
# PostgreSQL tests against a throwaway server (scripts/postgres.sh). Nothing is skipped.
# Browser screenshots land in target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
bash tests/interop/setup.sh
bash tests/browser/setup.sh
cargo build --workspace --bins --locked
# The workspace lints (no unwrap/expect/indexing outside tests, …) are errors here, not advice.
cargo clippy --workspace --all-targets --locked -- -D warnings
# One layout (rustfmt.toml): a change that is not formatted fails here, not in review.
cargo fmt --all -- --check
# The dependency tree: allowed licences, no new duplicate versions, crates.io only (deny.toml).
# The advisory check needs the RustSec database from GitHub, so it runs only where that can
# be reached (README, "Dependency checks"), never here.
cargo deny --locked check licenses bans sources
# A throwaway PostgreSQL server for the registry's PostgreSQL tests, stopped and deleted on
# exit, failure included (unless the caller already names a server of its own).
if [ -z "${SIGIL_TEST_POSTGRES_URL:-}" ]; then
  # In /tmp, not $TMPDIR: the server's socket path must stay under ~100 bytes.
  postgres_dir=$(mktemp -d /tmp/sigil-postgres.XXXXXX)
  trap 'bash scripts/postgres.sh stop "$postgres_dir"' EXIT
  SIGIL_TEST_POSTGRES_URL=$(bash scripts/postgres.sh start "$postgres_dir")
  export SIGIL_TEST_POSTGRES_URL
fi
if cargo nextest --version >/dev/null 2>&1; then
  # One summary line for the whole workspace at the end.
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
