#!/usr/bin/env bash
# Interoperability of programmable privacy: the official Seal SDK (@mysten/seal with
# @mysten/sui's SuiGrpcClient) against a haulout network — a local chain with its three Seal key
# servers (2-of-3) and four storage nodes — for every policy of the `policies` package, and
# ciphertexts crossing both ways between the SDK and `haulout store --encrypt` / `haulout read`.
# Needs Node.js and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
need_node "the Seal TypeScript interop test"
cargo build --locked -p haulout-client --bin haulout
haulout="${CARGO_TARGET_DIR:-target}/debug/haulout"
(cd crates/client/seal-ts && npm ci --no-audit --no-fund --loglevel=error)

start_network 4 4

net=(--json --network "$data/chain/localnet.json")
reader_wallet="$data/reader.keystore"
python3 - "$data/chain/keystore" "$reader_wallet" <<'PY'
import json, sys
keys = json.load(open(sys.argv[1]))
json.dump([keys[1]], open(sys.argv[2], "w"))
PY
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
reader="$("$haulout" "${net[@]}" --wallet "$reader_wallet" wallet address | field '["address"]')"

# An allowlist with the reader on it, and a subscription the reader bought.
list="$("$haulout" "${net[@]}" allowlist create interop | field '["allowlistId"]')" || fail "allowlist create"
"$haulout" "${net[@]}" allowlist add "$list" "$reader" >/dev/null || fail "allowlist add"
service="$("$haulout" "${net[@]}" subscription create interop --fee 1 --ttl 1h | field '["serviceId"]')" ||
  fail "subscription create"
subscription="$("$haulout" "${net[@]}" --wallet "$reader_wallet" subscription buy "$service" |
  field '["subscriptionId"]')" || fail "subscription buy"

# haulout encrypts and stores; the SDK decrypts the ciphertext read back raw.
head -c 100000 /dev/urandom >"$data/plain.bin"
blob="$("$haulout" "${net[@]}" store "$data/plain.bin" --encrypt --policy private | field '["blobs"][0]["blobId"]')" ||
  fail "haulout store --encrypt failed"
"$haulout" "${net[@]}" read "$blob" --raw --out "$data/cipher.bin" >/dev/null || fail "haulout read --raw"

(cd crates/client/seal-ts && LOCALNET_DIR="$data/chain" HAULOUT_ALLOWLIST="$list" HAULOUT_SERVICE="$service" \
  HAULOUT_SUBSCRIPTION="$subscription" HAULOUT_CIPHERTEXT="$data/cipher.bin" HAULOUT_PLAINTEXT="$data/plain.bin" \
  SDK_CIPHERTEXT="$data/sdk-cipher.bin" SDK_PLAINTEXT="$data/sdk-plain.bin" node --test seal.test.mjs) ||
  fail "the Seal SDK test failed"

# The SDK encrypted; haulout stores the ciphertext as it is and decrypts it on read.
blob="$("$haulout" "${net[@]}" store "$data/sdk-cipher.bin" | field '["blobs"][0]["blobId"]')" || fail "store"
"$haulout" "${net[@]}" read "$blob" --out "$data/sdk-back.bin" >/dev/null || fail "haulout read of an SDK ciphertext"
cmp "$data/sdk-back.bin" "$data/sdk-plain.bin" || fail "haulout decrypted an SDK ciphertext to other bytes"
echo "seal interop: ok"
