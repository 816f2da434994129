#!/usr/bin/env bash
# Runs every Sigil test on a fresh machine: installs what the tests need (system packages
# including chromium, the npm and PyPI libraries of the interop and browser tests), builds the
# binaries the end-to-end tests run, holds the code to the workspace's clippy lints, then runs
# the whole workspace's tests. Nothing is skipped.
# Browser screenshots land in target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
bash tests/interop/setup.sh
bash tests/browser/setup.sh
cargo build --workspace --bins --locked
# The workspace lints (no unwrap/expect/indexing outside tests, …) are errors here, not advice.
cargo clippy --workspace --all-targets --locked -- -D warnings
if cargo nextest --version >/dev/null 2>&1; then
  # One summary line for the whole workspace at the end.
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
