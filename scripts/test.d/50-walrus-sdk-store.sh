#!/usr/bin/env bash
# Interoperability of the storage network: the official Walrus TypeScript SDK (@mysten/walrus,
# @mysten/sui's SuiGrpcClient, storage nodes over plain HTTP) stores blobs on a haulout network
# — a local chain with 10 haulout storage nodes, 100 shards — and reads them back, and reads a
# blob that `haulout store` wrote. Needs Node.js and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
need_node "the Walrus TypeScript interop test"
cargo build --locked -p haulout-client --bin haulout
haulout="${CARGO_TARGET_DIR:-target}/debug/haulout"
(cd crates/client/walrus-ts && npm ci --no-audit --no-fund --loglevel=error)

start_network 10 100

file="$data/haulout-blob.bin"
head -c 200000 /dev/urandom >"$file"
out="$("$haulout" --json --network "$data/chain/localnet.json" store "$file" --epochs 2)" ||
  fail "haulout store failed: $out"
blob_id="$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["blobs"][0]["blobId"])')"
(cd crates/client/walrus-ts && LOCALNET_DIR="$data/chain" HAULOUT_BLOB_ID="$blob_id" \
  HAULOUT_BLOB_FILE="$file" node --test store.test.mjs) || fail "the Walrus SDK test failed"
