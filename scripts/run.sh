#!/usr/bin/env bash
# Sigil's main job, for now: a university key issues a sample diploma in all three formats,
# the verifier checks each, and a forged copy is caught. (The whole local stack — registry,
# issuer, wallet and verifier services — replaces this once those services exist.)
#
# Keys and credentials go to ${SIGIL_DEMO_DIR:-.sigil-demo}; a second run reuses the keys.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cargo build --workspace --bins --locked --quiet
bin=target/debug
dir=${SIGIL_DEMO_DIR:-.sigil-demo}
mkdir -p "$dir"

[ -f "$dir/university.jwk" ] || $bin/sigil-issuer keys generate --jwk "$dir/university.jwk" >/dev/null
[ -f "$dir/student.jwk" ] || $bin/sigil-issuer keys generate --jwk "$dir/student.jwk" >/dev/null
student=$($bin/sigil-issuer keys did --jwk "$dir/student.jwk")

for format in ldp_vc vc+jwt dc+sd-jwt; do
  file="$dir/diploma.${format//+/-}"
  $bin/sigil-issuer issue --key "$dir/university.jwk" --type UniversityDegreeCredential \
    --subject "$student" --claims examples/diploma-claims.json --format "$format" > "$file"
  echo "== $format diploma written to $file"
  $bin/sigil-verifier verify "$file"
  echo
done

sed 's/Ada Lovelace/Ada Lovelacf/' "$dir/diploma.ldp_vc" > "$dir/forged.ldp_vc"
echo "== a forged copy (one letter of the name changed): $dir/forged.ldp_vc"
if $bin/sigil-verifier verify "$dir/forged.ldp_vc"; then
  echo "error: the forged diploma verified" >&2
  exit 1
fi
echo
echo "Done. Try: $bin/sigil-verifier verify $dir/diploma.ldp_vc --json"
