#!/usr/bin/env bash
# Self-test of the interop scripts against each other (no Sigil code used).
#   bash selftest.sh [SCRATCH_DIR]
# SCRATCH_DIR defaults to a fresh mktemp dir (outside the repo) that is
# removed afterwards; a given dir is kept for inspection. Runs setup.sh first.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh" || exit 1

if [ $# -ge 1 ]; then
  S="$1"; mkdir -p "$S"
else
  S="$(mktemp -d /tmp/sigil-interop.XXXXXX)"; trap 'rm -rf "$S"' EXIT
fi
cd "$here"
PY="$here/.venv/bin/python"
pass=0; fail=0

# expect CODE NAME CMD...   (stdout+stderr of CMD go to $S/out.NAME)
expect() {
  local want="$1" name="$2"; shift 2
  "$@" >"$S/out.$name" 2>&1
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1)); echo "ok    $name (exit $got)"
  else
    fail=$((fail + 1)); echo "FAIL  $name: exit $got, wanted $want"
    sed 's/^/      /' "$S/out.$name" | head -20
  fi
}
# check NAME CONDITION-CMD...  (a plain assertion)
check() {
  local name="$1"; shift
  if "$@"; then pass=$((pass + 1)); echo "ok    $name"
  else fail=$((fail + 1)); echo "FAIL  $name"; fi
}

# ------------------------------------------------------------ fixtures
mkdir -p "$S/contexts"
cp node_modules/@digitalbazaar/credentials-context/contexts/v2.jsonld \
  "$S/contexts/credentials-v2.jsonld"
# the VCDM 2.0 examples context is not shipped by any of our npm packages;
# a minimal stand-in (the real one is also an @vocab-only context)
echo '{"@context":{"@vocab":"https://www.w3.org/ns/credentials/examples#"}}' \
  > "$S/contexts/examples-v2.jsonld"
cat > "$S/contexts/index.json" <<'EOF'
{
  "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
  "https://www.w3.org/ns/credentials/examples/v2": "examples-v2.jsonld"
}
EOF
node -e '
const c = require("node:crypto"), fs = require("node:fs"), S = process.argv[1];
for(const n of ["issuer", "holder"]) {
  const j = c.generateKeyPairSync("ed25519").privateKey.export({format: "jwk"});
  fs.writeFileSync(`${S}/${n}.jwk`,
    JSON.stringify({kty: "OKP", crv: "Ed25519", x: j.x, d: j.d}));
  fs.writeFileSync(`${S}/${n}-pub.jwk`,
    JSON.stringify({kty: "OKP", crv: "Ed25519", x: j.x}));
}' "$S"
cat > "$S/credential.json" <<'EOF'
{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2"
  ],
  "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
  "type": ["VerifiableCredential", "ExampleAlumniCredential"],
  "issuer": "https://university.example/issuers/565049",
  "validFrom": "2024-01-01T00:00:00Z",
  "credentialSubject": {
    "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
    "alumniOf": {"name": "Example University"}
  }
}
EOF
# json_edit IN OUT PYTHON-STATEMENTS-ON-d
json_edit() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(d, open(sys.argv[2], "w"))' "$@"
}
C="--contexts $S/contexts"

# ------------------------------------------------------------ Data Integrity
echo "== di.mjs (eddsa-rdfc-2022)"
node di.mjs sign --key "$S/issuer.jwk" $C "$S/credential.json" > "$S/di.json"
expect 0 di-sign-verify node di.mjs verify $C "$S/di.json"
check di-prints-verified grep -qx verified "$S/out.di-sign-verify"
check di-issuer-is-did-key python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); i=d["issuer"]; p=d["proof"]
assert i.startswith("did:key:z6Mk"), i
assert p["verificationMethod"] == i + "#" + i[len("did:key:"):], p
assert p["cryptosuite"] == "eddsa-rdfc-2022" and p["type"] == "DataIntegrityProof"
' "$S/di.json"
sed 's/Example University/Example Universitz/' "$S/di.json" > "$S/di-claim.json"
expect 1 di-tampered-claim node di.mjs verify $C "$S/di-claim.json"
json_edit "$S/di.json" "$S/di-date.json" 'd["validFrom"]="2024-01-02T00:00:00Z"'
expect 1 di-tampered-validFrom node di.mjs verify $C "$S/di-date.json"
json_edit "$S/di.json" "$S/di-pv.json" \
  'v=d["proof"]["proofValue"]; d["proof"]["proofValue"]=v[:-2]+("22" if v[-2:]!="22" else "33")'
expect 1 di-tampered-proofValue node di.mjs verify $C "$S/di-pv.json"
json_edit "$S/di.json" "$S/di-noproof.json" 'del d["proof"]'
expect 1 di-no-proof node di.mjs verify $C "$S/di-noproof.json"
json_edit "$S/di.json" "$S/di-ctx.json" \
  'd["@context"].append("https://example.com/not-in-index")'
expect 2 di-unknown-context node di.mjs verify $C "$S/di-ctx.json"
json_edit "$S/di.json" "$S/di-undef.json" 'd["@context"]=d["@context"][:1]'
expect 1 di-undefined-term-safe-mode node di.mjs verify $C "$S/di-undef.json"
expect 2 di-missing-file node di.mjs verify $C "$S/nope.json"

# ------------------------------------------------------------ VCDM 1.1
echo "== di-v1.mjs (VCDM 1.1: Ed25519Signature2020, eddsa-rdfc-2022)"
cp node_modules/@digitalbazaar/credentials-context/contexts/v1.jsonld \
  "$S/contexts/credentials-v1.jsonld"
cp node_modules/ed25519-signature-2020-context/contexts/ed25519-signature-2020-v1.jsonld \
  "$S/contexts/ed25519-2020-v1.jsonld"
# no npm package here ships the Data Integrity v2 context (the eddsa-rdfc-2022
# suite appends it to a v1 credential); the repository's copy is the published
# document byte for byte
cp ../../core/contexts/data-integrity-v2.jsonld "$S/contexts/data-integrity-v2.jsonld"
json_edit "$S/contexts/index.json" "$S/contexts/index.json" '
d["https://www.w3.org/2018/credentials/v1"] = "credentials-v1.jsonld"
d["https://w3id.org/security/suites/ed25519-2020/v1"] = "ed25519-2020-v1.jsonld"
d["https://w3id.org/security/data-integrity/v2"] = "data-integrity-v2.jsonld"'
json_edit "$S/credential.json" "$S/credential-v1.json" '
d["@context"] = ["https://www.w3.org/2018/credentials/v1",
                 "https://w3id.org/security/suites/ed25519-2020/v1",
                 "https://www.w3.org/ns/credentials/examples/v2"]
del d["validFrom"]; d["issuanceDate"] = "2024-01-01T00:00:00Z"'
for suite in ed25519-2020 eddsa-rdfc-2022; do
  node di-v1.mjs sign --key "$S/issuer.jwk" $C --suite $suite \
    "$S/credential-v1.json" > "$S/v1-$suite.json"
  expect 0 "v1-$suite-sign-verify" \
    node di-v1.mjs verify $C --suite $suite "$S/v1-$suite.json"
  sed 's/Example University/Example Universitz/' "$S/v1-$suite.json" \
    > "$S/v1-$suite-claim.json"
  expect 1 "v1-$suite-tampered-claim" \
    node di-v1.mjs verify $C --suite $suite "$S/v1-$suite-claim.json"
done
check v1-ed25519-2020-proof-type python3 -c '
import json,sys; p=json.load(open(sys.argv[1]))["proof"]
assert p["type"] == "Ed25519Signature2020" and "cryptosuite" not in p, p
' "$S/v1-ed25519-2020.json"
expect 2 v1-refuses-a-v2-credential \
  node di-v1.mjs sign --key "$S/issuer.jwk" $C --suite ed25519-2020 "$S/credential.json"

# ------------------------------------------------------------ VC-JOSE-COSE
echo "== jose.mjs (vc+jwt, EdDSA)"
node jose.mjs sign --key "$S/issuer.jwk" "$S/credential.json" > "$S/vc.jwt"
expect 0 jose-sign-verify node jose.mjs verify "$S/vc.jwt"
python3 - "$S" <<'EOF'
import base64, json, sys
S = sys.argv[1]
h, p, s = open(f"{S}/vc.jwt").read().strip().split(".")
dec = lambda x: json.loads(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
pl = dec(p); pl["credentialSubject"]["alumniOf"]["name"] = "Example Universitz"
open(f"{S}/vc-claim.jwt", "w").write(".".join([h, enc(pl), s]))
hd = dec(h); hd["typ"] = "JWT"
open(f"{S}/vc-typ.jwt", "w").write(".".join([enc(hd), p, s]))
EOF
expect 1 jose-tampered-claim node jose.mjs verify "$S/vc-claim.jwt"
expect 1 jose-wrong-typ node jose.mjs verify "$S/vc-typ.jwt"
# validly signed, but payload issuer is another DID than the kid's
node --input-type=module -e '
import {CompactSign, importJWK} from "jose";
import {readFileSync} from "node:fs";
import {readPrivateJwk} from "./lib/didkey.mjs";
const [S] = process.argv.slice(1);
const k = readPrivateJwk(`${S}/issuer.jwk`), other = readPrivateJwk(`${S}/holder.jwk`);
const vc = JSON.parse(readFileSync(`${S}/credential.json`, "utf8"));
vc.issuer = other.did;
const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(vc)))
  .setProtectedHeader({alg: "EdDSA", typ: "vc+jwt", kid: k.vmId})
  .sign(await importJWK(k.jwk, "EdDSA"));
console.log(jws);' "$S" > "$S/vc-issuer.jwt"
expect 1 jose-issuer-kid-mismatch node jose.mjs verify "$S/vc-issuer.jwt"

# ------------------------------------------------------------ SD-JWT VC
echo "== sdjwt.py (dc+sd-jwt, EdDSA)"
cat > "$S/claims.json" <<'EOF'
{"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1963-08-12",
 "nationality": "DE", "address": {"locality": "Köln", "country": "DE"}}
EOF
AUD=https://verifier.example
"$PY" sdjwt.py issue --issuer-key "$S/issuer.jwk" \
  --holder-jwk "$S/holder-pub.jwk" --claims "$S/claims.json" \
  --sd given_name,family_name,birthdate,address \
  --vct https://credentials.example/identity_credential > "$S/issued.sdjwt"
expect 0 sdjwt-issued-verify "$PY" sdjwt.py verify "$S/issued.sdjwt"
"$PY" sdjwt.py present --holder-key "$S/holder.jwk" \
  --disclose given_name,address --nonce n-123 --aud "$AUD" \
  "$S/issued.sdjwt" > "$S/pres.sdjwt"
expect 0 sdjwt-present-verify \
  "$PY" sdjwt.py verify --nonce n-123 --aud "$AUD" "$S/pres.sdjwt"
check sdjwt-disclosed-only-selected python3 -c '
import json,sys; c=json.load(open(sys.argv[1]))
assert c["given_name"] == "Erika" and c["address"]["locality"] == "Köln", c
assert "family_name" not in c and "birthdate" not in c, c
assert c["nationality"] == "DE" and c["iss"].startswith("did:key:z6Mk"), c
' "$S/out.sdjwt-present-verify"
expect 0 sdjwt-explicit-issuer-jwk "$PY" sdjwt.py verify \
  --issuer-jwk "$S/issuer-pub.jwk" --nonce n-123 --aud "$AUD" "$S/pres.sdjwt"
expect 1 sdjwt-wrong-issuer-jwk "$PY" sdjwt.py verify \
  --issuer-jwk "$S/holder-pub.jwk" --nonce n-123 --aud "$AUD" "$S/pres.sdjwt"
expect 1 sdjwt-wrong-nonce \
  "$PY" sdjwt.py verify --nonce n-999 --aud "$AUD" "$S/pres.sdjwt"
expect 1 sdjwt-wrong-aud \
  "$PY" sdjwt.py verify --nonce n-123 --aud https://other.example "$S/pres.sdjwt"
expect 1 sdjwt-kb-missing \
  "$PY" sdjwt.py verify --nonce n-123 --aud "$AUD" "$S/issued.sdjwt"
python3 - "$S" <<'EOF'
import base64, json, sys
S = sys.argv[1]
def tamper(src, dst):
    parts = open(f"{S}/{src}").read().strip().split("~")
    out = [parts[0]]
    for d in parts[1:-1]:
        v = json.loads(base64.urlsafe_b64decode(d + "=" * (-len(d) % 4)))
        if v[1] == "given_name":
            v[2] = "Erikb"
            d = base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("=")
        out.append(d)
    out.append(parts[-1])
    open(f"{S}/{dst}", "w").write("~".join(out))
tamper("pres.sdjwt", "pres-tampered.sdjwt")
tamper("issued.sdjwt", "issued-tampered.sdjwt")
EOF
expect 1 sdjwt-tampered-disclosure-kb \
  "$PY" sdjwt.py verify --nonce n-123 --aud "$AUD" "$S/pres-tampered.sdjwt"
expect 1 sdjwt-tampered-disclosure-no-kb \
  "$PY" sdjwt.py verify "$S/issued-tampered.sdjwt"
expect 2 sdjwt-present-wrong-holder-key "$PY" sdjwt.py present \
  --holder-key "$S/issuer.jwk" --disclose given_name --nonce n --aud a \
  "$S/issued.sdjwt"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
