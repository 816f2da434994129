#!/usr/bin/env bash
# Where the registry spends its CPU in one phase of the ledger bench
# (registry/benches/ledger.rs) at SIGIL_BENCH_DIDS DIDs (100000 unless set): `ingest` (blocks
# produced, every signature checked, and written), `replay` (the chain replayed from genesis,
# as `verify-chain` does) or `resume` (start-up from a state snapshot). Runs the bench, samples
# it with `perf record` for SIGIL_PROFILE_SECONDS (8 unless set) from SIGIL_PROFILE_AFTER seconds
# (0 unless set) after the phase's start — late in a long ingest, its store is large — then
# stops it before it rewrites BENCHMARKS.md. The summary — every function with the share of
# samples in it and what it calls — goes to docs/profiles/registry-<phase>-<label>.txt.
# Needs perf (Debian: linux-perf).
#
#   bash scripts/profile-registry.sh ingest mimalloc
#   SIGIL_BENCH_DIDS=1000000 SIGIL_PROFILE_SECONDS=20 bash scripts/profile-registry.sh resume 1m
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage="usage: profile-registry.sh ingest|replay|resume LABEL"
phase=${1:?$usage}
label=${2:?$usage}
case "$phase" in
  ingest) marker="create operations in"; what="blocks produced, every signature checked, and written to SQLite while the next is produced" ;;
  replay) marker="replaying the chain"; what="the chain replayed from genesis, every block checked, as verify-chain does" ;;
  resume) marker="resuming from the snapshot"; what="a node's start from its state snapshot" ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
dids=${SIGIL_BENCH_DIDS:-100000}
seconds=${SIGIL_PROFILE_SECONDS:-8}
after=${SIGIL_PROFILE_AFTER:-0}

bench=$(cargo bench -p sigil-registry --bench ledger --no-run --locked --message-format=json 2>/dev/null \
  | grep '"name":"ledger"' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$bench" ] || { echo "profile-registry.sh: the ledger bench did not build" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

SIGIL_BENCH_DIDS=$dids "$bench" --bench >"$work/bench.log" 2>&1 &
pid=$!
until grep -q "$marker" "$work/bench.log"; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/bench.log"; exit 1; }
  sleep 0.2
done
sleep "$after"
perf record -q -F 300 --call-graph dwarf,16384 -p "$pid" -o "$work/perf.data" -- sleep "$seconds"
kill "$pid" 2>/dev/null || true

out="docs/profiles/registry-$phase-$label.txt"
set +o pipefail # `head` closes the report's pipe early
{
  echo "# registry profile, $phase: $label"
  echo
  echo "Written by scripts/profile-registry.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) at commit $(git describe --always --dirty)."
  echo "Workload: registry/benches/ledger.rs with $dids DID creations in blocks of 500, sampled for"
  echo "$seconds s from $after s into the $phase ($what);"
  echo "perf record at 300 Hz with DWARF call graphs."
  echo "Children = the share of samples in the function or what it calls; Self = in the function itself."
  echo
  perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
    | grep -v '^#' | grep '%' | head -120 | cut -c1-200 | sed 's/ *$//'
} >"$out"
echo "written to $out"
