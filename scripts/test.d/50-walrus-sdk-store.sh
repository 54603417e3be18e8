#!/usr/bin/env bash
# Interoperability of the storage network: the official Walrus TypeScript SDK (@mysten/walrus,
# @mysten/sui's SuiGrpcClient, storage nodes over plain HTTP) stores blobs on a haulout network
# — a local chain with 10 haulout storage nodes, 100 shards — and reads them back, and reads a
# blob that `haulout store` wrote. Needs Node.js and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node/npm not found: install Node.js to run the Walrus TypeScript interop test" >&2
  exit 1
fi
cargo build --locked -p haulout-client --bin haulout
haulout="${CARGO_TARGET_DIR:-target}/debug/haulout"
(cd crates/client/walrus-ts && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
fail() { echo "$1" >&2; for f in "$data"/*.log; do echo "== $f" >&2; tail -20 "$f" >&2; done; exit 1; }

# Ten consecutive free ports for the nodes.
base="$(python3 - <<'PY'
import socket, random
for _ in range(200):
    base = random.randrange(20000, 60000)
    socks = []
    try:
        for p in range(base, base + 10):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
PY
)"
"$haulout" localnet --data "$data/chain" --fresh --listen 127.0.0.1:0 --accounts 2 \
  --nodes 10 --n-shards 100 --epoch-duration 1h --node-base-port "$base" >"$data/localnet.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
  [ -f "$data/chain/localnet.json" ] && [ -f "$data/chain/nodes/9/node.toml" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || fail "localnet exited"
  sleep 0.1
done
[ -f "$data/chain/localnet.json" ] || fail "localnet did not start"
for i in $(seq 0 9); do
  "$haulout" node --config "$data/chain/nodes/$i/node.toml" >"$data/node$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 0 9); do
  port=$((base + i))
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null || fail "node $i is not healthy"
done

file="$data/haulout-blob.bin"
head -c 200000 /dev/urandom >"$file"
out="$("$haulout" --json --network "$data/chain/localnet.json" store "$file" --epochs 2)" ||
  fail "haulout store failed: $out"
blob_id="$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["blobs"][0]["blobId"])')"
(cd crates/client/walrus-ts && LOCALNET_DIR="$data/chain" HAULOUT_BLOB_ID="$blob_id" \
  HAULOUT_BLOB_FILE="$file" node --test store.test.mjs) || fail "the Walrus SDK test failed"
