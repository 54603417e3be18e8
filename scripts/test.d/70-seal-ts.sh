#!/usr/bin/env bash
# Interoperability of programmable privacy: the official Seal SDK (@mysten/seal with
# @mysten/sui's SuiGrpcClient) against a haulout network — a local chain with its three Seal key
# servers (2-of-3) and four storage nodes — for every policy of the `policies` package, and
# ciphertexts crossing both ways between the SDK and `haulout store --encrypt` / `haulout read`.
# Needs Node.js and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node/npm not found: install Node.js to run the Seal TypeScript interop test" >&2
  exit 1
fi
cargo build --locked -p haulout-client --bin haulout
haulout="${CARGO_TARGET_DIR:-target}/debug/haulout"
(cd crates/client/seal-ts && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
fail() { echo "$1" >&2; for f in "$data"/*.log; do echo "== $f" >&2; tail -20 "$f" >&2; done; exit 1; }

# Free consecutive ports: four for the nodes, three for the key servers.
free_base() {
  python3 - "$1" <<'PY'
import socket, random, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 60000)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
PY
}
nodes="$(free_base 4)"
key_servers="$(free_base 3)"
"$haulout" localnet --data "$data/chain" --fresh --listen 127.0.0.1:0 --accounts 2 \
  --nodes 4 --n-shards 4 --epoch-duration 1h --node-base-port "$nodes" \
  --key-server-base-port "$key_servers" >"$data/localnet.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
  [ -f "$data/chain/localnet.json" ] && [ -f "$data/chain/nodes/3/node.toml" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || fail "localnet exited"
  sleep 0.1
done
[ -f "$data/chain/localnet.json" ] || fail "localnet did not start"
for i in $(seq 0 3); do
  "$haulout" node --config "$data/chain/nodes/$i/node.toml" >"$data/node$i.log" 2>&1 &
  pids+=($!)
done
wait_http() {
  for _ in $(seq 1 600); do
    curl -sf "$1" >/dev/null && return 0
    sleep 0.1
  done
  fail "$1 does not answer"
}
for i in $(seq 0 3); do wait_http "http://127.0.0.1:$((nodes + i))/v1/health"; done
for i in $(seq 0 2); do wait_http "http://127.0.0.1:$((key_servers + i))/health"; done

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
