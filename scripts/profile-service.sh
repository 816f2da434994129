#!/usr/bin/env bash
# Where a running service spends its CPU under the services bench's load: starts
# tests/src/bin/services-bench on release binaries, samples the verifier while the VC API is
# loaded (or the issuer while the graduating class is issued) with `perf record` (DWARF call
# graphs from .eh_frame, so release binaries need no debug info), and keeps the summary —
# every function with the share of samples in it and what it calls — in
# docs/profiles/<service>-<label>.txt. Needs perf (Debian: linux-perf).
#
#   bash scripts/profile-service.sh verifier after-status-memo
#   bash scripts/profile-service.sh issuer before
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

service=${1:?usage: profile-service.sh verifier|issuer LABEL}
label=${2:?usage: profile-service.sh verifier|issuer LABEL}
case "$service" in
  verifier) phase="the VC API under load" ;;
  issuer) phase="a graduating class" ;;
  *) echo "profile-service.sh: the service is verifier or issuer, not $service" >&2; exit 2 ;;
esac

cargo build --workspace --bins --locked --release
target=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$target/services-bench" --class-size 3000 --seconds 12 --round-trips 5 >"$work/bench.log" 2>&1 &
bench=$!
until grep -q "$phase" "$work/bench.log"; do
  kill -0 "$bench" 2>/dev/null || { cat "$work/bench.log"; exit 1; }
  sleep 0.2
done
sleep 2 # past the phase's warm-up
pid=$(pgrep -n -f "sigil-$service serve")
perf record -q -F 300 --call-graph dwarf,16384 -p "$pid" -o "$work/perf.data" -- sleep 5
wait "$bench"

out="docs/profiles/$service-$label.txt"
{
  echo "# $service profile under the services bench: $label"
  echo
  echo "Written by scripts/profile-service.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) at commit $(git describe --always --dirty)."
  echo "Workload: tests/src/bin/services-bench (release binaries), sampled for 5 s while $phase;"
  echo "perf record at 300 Hz with DWARF call graphs. Children = the share of samples in the"
  echo "function or what it calls; Self = in the function itself."
  echo
  perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
    | grep -v '^#' | grep '%' | head -120 | cut -c1-200 | sed 's/ *$//'
} >"$out"
echo "written to $out"
