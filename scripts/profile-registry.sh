#!/usr/bin/env bash
# Where the registry spends its CPU while it ingests DID operations: runs the ledger bench
# (registry/benches/ledger.rs) at SIGIL_BENCH_DIDS (100000 unless set), samples it with
# `perf record` once the operations are signed (the client side, not counted) and for as long
# as the ingest runs, then stops the bench before it rewrites BENCHMARKS.md. The summary —
# every function with the share of samples in it and what it calls — goes to
# docs/profiles/registry-<label>.txt. Needs perf (Debian: linux-perf).
#
#   bash scripts/profile-registry.sh ingest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

label=${1:?usage: profile-registry.sh LABEL}
dids=${SIGIL_BENCH_DIDS:-100000}
seconds=${SIGIL_PROFILE_SECONDS:-8}

bench=$(cargo bench -p sigil-registry --bench ledger --no-run --locked --message-format=json 2>/dev/null \
  | grep '"name":"ledger"' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$bench" ] || { echo "profile-registry.sh: the ledger bench did not build" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

SIGIL_BENCH_DIDS=$dids "$bench" --bench >"$work/bench.log" 2>&1 &
pid=$!
until grep -q "create operations in" "$work/bench.log"; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/bench.log"; exit 1; }
  sleep 0.2
done
perf record -q -F 300 --call-graph dwarf,16384 -p "$pid" -o "$work/perf.data" -- sleep "$seconds"
kill "$pid" 2>/dev/null || true

out="docs/profiles/registry-$label.txt"
set +o pipefail # `head` closes the report's pipe early
{
  echo "# registry profile while ingesting: $label"
  echo
  echo "Written by scripts/profile-registry.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) at commit $(git describe --always --dirty)."
  echo "Workload: registry/benches/ledger.rs with $dids DID creations in blocks of 500, sampled for"
  echo "the first $seconds s of the ingest (blocks produced, every signature checked, and written"
  echo "to SQLite while the next is produced); perf record at 300 Hz with DWARF call graphs."
  echo "Children = the share of samples in the function or what it calls; Self = in the function itself."
  echo
  perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
    | grep -v '^#' | grep '%' | head -120 | cut -c1-200 | sed 's/ *$//'
} >"$out"
echo "written to $out"
