#!/usr/bin/env bash
# Profiles one of Sigil's verify paths with callgrind and keeps the summary as text:
#
#   scripts/profile-verify.sh ldp_vc after-fast-canonical
#
# writes docs/profiles/<format>-verify-<label>.txt (ldp_vc is written data-integrity, vc+jwt
# vc-jwt, dc+sd-jwt sd-jwt): the instructions spent per verification and the functions that
# spend them (inclusive, then exclusive). The workload is the bench binary
# core/benches/verify_profile.rs. Needs valgrind (Debian package `valgrind`).
set -euo pipefail
cd "$(dirname "$0")/.."

format="${1:?usage: $0 <ldp_vc|vc+jwt|dc+sd-jwt> <label>}"
label="${2:?usage: $0 <ldp_vc|vc+jwt|dc+sd-jwt> <label>, e.g. before or after}"
case "$format" in
  ldp_vc) name=data-integrity ;;
  vc+jwt) name=vc-jwt ;;
  dc+sd-jwt) name=sd-jwt ;;
  *) echo "unknown format $format; expected ldp_vc, vc+jwt or dc+sd-jwt" >&2; exit 2 ;;
esac
iterations="${SIGIL_PROFILE_ITERATIONS:-200}"
out="docs/profiles/${name}-verify-${label}.txt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

binary="$(cargo bench -p sigil-core --bench verify_profile --no-run 2>&1 \
  | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -n 1)"
[ -x "$binary" ] || { echo "could not find the verify_profile bench binary" >&2; exit 1; }

profile() { # <iterations> <callgrind output file>
  SIGIL_PROFILE_FORMAT="$format" SIGIL_PROFILE_ITERATIONS="$1" valgrind --tool=callgrind --callgrind-out-file="$2" "$binary" >/dev/null 2>"$work/valgrind.log"
}
total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !found { gsub(",", "", $1); print $1; found = 1 }'; }

# Two runs, so that set-up (context parsing, signing once) cancels out of the per-verification figure.
profile 1 "$work/one.out"
profile "$iterations" "$work/many.out"
per_verification=$(( ($(total "$work/many.out") - $(total "$work/one.out")) / (iterations - 1) ))

callgrind_annotate --inclusive=yes "$work/many.out" >"$work/inclusive.txt" 2>/dev/null
callgrind_annotate "$work/many.out" >"$work/exclusive.txt" 2>/dev/null
# The table of functions, from its header line on, without the binary's path.
functions() { sed -n '/^Ir/,$p' "$1" | sed -n "1,$2p" | sed -E 's# \[[^]]*\]$##; s#  \?\?\?:#  #' | cut -c1-200; }

{
  echo "# ${format} verify profile: ${label}"
  echo
  echo "Written by scripts/profile-verify.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) at commit $(git describe --always --dirty)."
  echo "Workload: core/benches/verify_profile.rs, one ${format} diploma (did:key issuer)"
  echo "verified ${iterations} times by Sigil's whole pipeline, under valgrind --tool=callgrind."
  echo
  echo "Instructions per verification (set-up subtracted): ${per_verification}"
  echo
  echo "## Inclusive: the most expensive functions with what they call"
  echo
  functions "$work/inclusive.txt" 45
  echo
  echo "## Exclusive: the functions that spend the most themselves"
  echo
  functions "$work/exclusive.txt" 35
} >"$out"
echo "wrote $out (${per_verification} instructions per verification)"
