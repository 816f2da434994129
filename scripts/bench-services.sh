#!/usr/bin/env bash
# The services' figures over HTTP on loopback (tests/src/bin/services-bench): builds the release
# binaries, starts a registry, an issuer and a verifier, measures a graduating class issued from
# one CSV, the VC API under load and OpenID4VP round trips, and writes the section "Services
# over HTTP on loopback" of BENCHMARKS.md. Arguments go to the program (see --help), e.g.
#
#   bash scripts/bench-services.sh --seconds 30 --connections 32
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --workspace --bins --locked --release
target=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release
exec "$target/services-bench" --record "$@"
