#!/usr/bin/env bash
# Sigil's main job: the whole local stack — registry, issuer, verifier and a student's
# wallet — on SQLite, with demo data, until Ctrl-C.
#
# The first start sets everything up under ${SIGIL_STACK_DIR:-.sigil-stack}: a chain whose
# genesis names the ministry's root of trust, "Example University" registered and accredited
# with a registrar account and an API token, an employer's verifier accredited as a verifier
# for diplomas, a student's wallet. A second start reuses it all. Demo secrets are printed
# below: this is a demo, not production.
#
# Ports: SIGIL_REGISTRY_PORT (7400), SIGIL_ISSUER_PORT (7401), SIGIL_VERIFIER_PORT (7402),
# SIGIL_WALLET_PORT (7403). SIGIL_SKIP_BUILD=1 uses the binaries already built; SIGIL_BIN_DIR
# names their directory (default: target/debug, or $CARGO_TARGET_DIR/debug).
#
# `--nodes N` runs the chain on N registry nodes (docs/consensus.md), set up as a consortium
# would: each node makes its validator key, the first writes the genesis naming them all and
# the others join it. Node i listens on SIGIL_REGISTRY_PORT + 10·(i−1) (7400, 7410, 7420, …)
# and keeps its data in registry/ (node 1) or registry-i/. The services talk to node 1, which
# passes submissions to whichever node leads. A stack directory keeps its number of nodes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

nodes=1
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) nodes=${2:-}; shift 2 ;;
    --nodes=*) nodes=${1#--nodes=}; shift ;;
    *) echo "usage: scripts/run.sh [--nodes N]" >&2; exit 2 ;;
  esac
done
if ! [[ $nodes =~ ^[1-9]$ ]]; then
  echo "error: --nodes takes a number of registry nodes from 1 to 9" >&2
  exit 2
fi

if [ "${SIGIL_SKIP_BUILD:-}" != 1 ]; then
  bash scripts/install-deps.sh
  cargo build --workspace --bins --locked --quiet
fi
# The binaries: SIGIL_BIN_DIR when given (the tests name the ones they were built with), else
# where cargo put them — CARGO_TARGET_DIR when set (a shared build directory), else target/.
bin=${SIGIL_BIN_DIR:-$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug}
dir=${SIGIL_STACK_DIR:-.sigil-stack}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export SIGIL_PASSPHRASE=${SIGIL_PASSPHRASE:-sigil demo passphrase}
registrar_password=${SIGIL_REGISTRAR_PASSWORD:-registrar demo 2026}
registry_port=${SIGIL_REGISTRY_PORT:-7400}
issuer_port=${SIGIL_ISSUER_PORT:-7401}
verifier_port=${SIGIL_VERIFIER_PORT:-7402}
wallet_port=${SIGIL_WALLET_PORT:-7403}
registry_url=http://127.0.0.1:$registry_port

children=()
# Stops every service started so far (each shuts down gracefully on SIGTERM).
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping the stack…"
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped; data kept in $dir"
}
trap 'stop; exit 0' INT TERM
trap 'stop' EXIT

# Starts a service in the background, logging to $dir/logs/NAME.log, and waits for its
# "NAME listening on" line.
start() {
  local name=$1
  shift
  mkdir -p "$dir/logs"
  "$@" >"$dir/logs/$name.out" 2>"$dir/logs/$name.log" &
  children+=($!)
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$dir/logs/$name.out" 2>/dev/null; then return 0; fi
    if ! kill -0 "${children[-1]}" 2>/dev/null; then
      echo "error: $name did not start; see $dir/logs/$name.log" >&2
      tail -5 "$dir/logs/$name.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "error: $name did not start within 20 s; see $dir/logs/$name.log" >&2
  exit 1
}

# Node i's data directory and URL.
node_dir() { if [ "$1" = 1 ]; then echo "$dir/registry"; else echo "$dir/registry-$1"; fi; }
node_url() { echo "http://127.0.0.1:$((registry_port + 10 * ($1 - 1)))"; }

if [ ! -f "$dir/registry/genesis.json" ]; then
  echo "setting up a new chain on $nodes node(s) (the ministry's root of trust is in its genesis)…"
  template=
  if [ "$nodes" -gt 1 ]; then
    # Every node's validator key, in node order: the genesis names them so, and `peers` too.
    keys=
    for i in $(seq 1 "$nodes"); do
      key=$($bin/sigil-registry validator-key --data-dir "$(node_dir "$i")")
      keys="$keys${keys:+,}\"$key\""
    done
    template="$dir/consortium.json"
    echo "{\"validators\": [$keys]}" >"$template"
  fi
  # The root's DID is init's standard output; its messages are shown only if it fails.
  $bin/sigil-registry init --data-dir "$dir/registry" ${template:+--genesis "$template"} \
    --root-name "Ministry of Education" --root-name "zh-CN=教育部" \
    >"$dir/ministry.did" 2>"$dir/registry-init.log" ||
    { cat "$dir/registry-init.log" >&2; exit 1; }
  for i in $(seq 2 "$nodes"); do
    $bin/sigil-registry join --data-dir "$(node_dir "$i")" --genesis "$dir/registry/genesis.json" 2>/dev/null
  done
  echo "$nodes" >"$dir/registry-nodes"
fi
made_with=$(cat "$dir/registry-nodes" 2>/dev/null || echo 1)
if [ "$made_with" != "$nodes" ]; then
  echo "error: $dir holds a chain of $made_with node(s); run with --nodes $made_with, or set SIGIL_STACK_DIR to another directory" >&2
  exit 2
fi
# The issuer, the verifier and the wallet are given every node: any one may be down.
services_registry=$registry_url
for i in $(seq 2 "$nodes"); do services_registry="$services_registry,$(node_url "$i")"; done
if [ "$nodes" = 1 ]; then
  start sigil-registry $bin/sigil-registry serve --data-dir "$dir/registry" --listen "127.0.0.1:$registry_port"
else
  peers=
  for i in $(seq 1 "$nodes"); do peers="$peers${peers:+,}$(node_url "$i")"; done
  for i in $(seq 1 "$nodes"); do
    start "sigil-registry-$i" $bin/sigil-registry serve --data-dir "$(node_dir "$i")" \
      --listen "127.0.0.1:$((registry_port + 10 * (i - 1)))" --peers "$peers"
  done
fi
# The issuer, the verifier and the wallet believe only answers signed by this chain's
# validators: each is pinned to the genesis hash the registry's init printed (a stack made
# before init printed it stays unpinned).
genesis_hash=$(sed -n 's/^genesis hash: //p' "$dir/registry-init.log" 2>/dev/null || true)

if [ ! -f "$dir/university/issuer.toml" ]; then
  echo "registering Example University and accrediting it…"
  $bin/sigil-issuer init --data-dir "$dir/university" --registry "$services_registry" \
    ${genesis_hash:+--registry-genesis "$genesis_hash"} \
    --name "Example University" >"$dir/university.did" 2>/dev/null
  $bin/sigil-registry accredit --registry "$registry_url" --keys "$dir/registry" \
    --issuer "$(cat "$dir/university.did")" --name "Example University" --name "zh-CN=示例大学" \
    --types "UniversityDegreeCredential,https://w3id.org/sigil/types/UniversityDegreeCredential,ProductInspectionCertificate,https://w3id.org/sigil/types/ProductInspectionCertificate" \
    >/dev/null
  SIGIL_REGISTRAR_PASSWORD=$registrar_password \
    $bin/sigil-issuer registrar add --data-dir "$dir/university" --username registrar 2>/dev/null
  $bin/sigil-issuer token create --data-dir "$dir/university" --label demo >"$dir/api-token"
fi
# A did:key identity for parties that resolve only did:key (the W3C VC API test suites).
if ! $bin/sigil-issuer profiles list --data-dir "$dir/university" | grep -q '^w3c'; then
  $bin/sigil-issuer profiles add w3c --data-dir "$dir/university" >/dev/null
fi
# A paper diploma printed from the portal leads, like the wallet's, to the employer's verifier.
start sigil-issuer $bin/sigil-issuer serve --data-dir "$dir/university" \
  --listen "127.0.0.1:$issuer_port" --public-url "http://127.0.0.1:$issuer_port" \
  --paper-verifier "http://127.0.0.1:$verifier_port"

if [ ! -f "$dir/verifier.did" ]; then
  # The employer's verifier is known to wallets by its did:key (its OpenID4VP client id): the
  # ministry accredits that DID as a verifier for diplomas, so a wallet can tell it from an
  # impostor using the same name.
  echo "accrediting Example Employer's verifier…"
  $bin/sigil-verifier did --data-dir "$dir/verifier" >"$dir/verifier.did.new"
  $bin/sigil-registry accredit --registry "$registry_url" --keys "$dir/registry" \
    --verifier "$(cat "$dir/verifier.did.new")" --name "Example Employer" --name "zh-CN=示例雇主" \
    --types "UniversityDegreeCredential,https://w3id.org/sigil/types/UniversityDegreeCredential" \
    >/dev/null
  mv "$dir/verifier.did.new" "$dir/verifier.did"
fi
start sigil-verifier $bin/sigil-verifier serve --data-dir "$dir/verifier" --registry "$services_registry" \
  ${genesis_hash:+--registry-genesis "$genesis_hash"} \
  --name "Example Employer" --listen "127.0.0.1:$verifier_port" --public-url "http://127.0.0.1:$verifier_port"

if [ ! -f "$dir/wallet/wallet.toml" ]; then
  $bin/sigil-wallet init --data-dir "$dir/wallet" --registry "$services_registry" \
    ${genesis_hash:+--registry-genesis "$genesis_hash"} --allow-insecure-targets >"$dir/student.did"
fi
# A printed credential's QR code leads to the employer's verifier, which checks it when scanned.
start sigil-wallet $bin/sigil-wallet serve --data-dir "$dir/wallet" --listen "127.0.0.1:$wallet_port" \
  --allow-insecure-targets --paper-verifier "http://127.0.0.1:$verifier_port"

cat <<EOF

Sigil is running (data in $dir, logs in $dir/logs):

  Registry explorer   $registry_url/explorer$([ "$nodes" = 1 ] || echo " (node 1 of $nodes; the others on $(for i in $(seq 2 "$nodes"); do node_url "$i"; done | paste -sd ' '))")
                      ministry (root of trust): $(cat "$dir/ministry.did" 2>/dev/null || echo "see genesis.json")
  University portal   http://127.0.0.1:$issuer_port/portal
                      sign in as registrar / $registrar_password
                      API token: $(cat "$dir/api-token")
                      VC API as did:key: http://127.0.0.1:$issuer_port/profiles/w3c/credentials/issue
  Employer's verifier http://127.0.0.1:$verifier_port
                      accredited as a verifier: $(cat "$dir/verifier.did")
  Student's wallet    http://127.0.0.1:$wallet_port
                      unlock with the passphrase: $SIGIL_PASSPHRASE

Try it: issue a diploma in the portal, paste its offer link and PIN into the wallet, start a
request on the verifier's page and paste its openid4vp:// link into the wallet's Present page;
print the diploma from its page in the wallet, and scan its QR code to check it on paper.
Press Ctrl-C to stop everything.
EOF

# One node of several may stop (kill one to watch the chain go on without it); any other
# service stopping ends the stack.
essential=("${children[@]}")
[ "$nodes" = 1 ] || essential=("${children[@]:$nodes}")
wait -n "${essential[@]}" || true
echo "a service stopped unexpectedly; see $dir/logs" >&2
exit 1
