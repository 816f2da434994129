#!/usr/bin/env bash
# The soak test at length, by hand: builds the binaries (release unless SIGIL_SOAK_PROFILE=debug),
# then runs the whole stack on loopback under concurrent clients and records the figures in
# docs/soak.md. Arguments go to the soak program; by default five minutes, four clients,
# after a 30 s warm-up:
#
#   bash scripts/soak.sh                       # --seconds 300 --clients 4 --warmup-seconds 30
#   bash scripts/soak.sh --seconds 60 --clients 8
#
# The services inherit this environment, so SIGIL_<SETTING> variables configure them.
# Exit status: 0 when there were no errors and memory stayed flat.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=${SIGIL_SOAK_PROFILE:-release}
flag=()
[ "$profile" = release ] && flag=(--release)
cargo build --workspace --bins --locked "${flag[@]}"
target=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/$profile
if [ $# -eq 0 ]; then
  set -- --seconds 300 --clients 4 --warmup-seconds 30
fi
exec "$target/soak" "$@" --record docs/soak.md
