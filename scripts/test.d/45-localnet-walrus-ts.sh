#!/usr/bin/env bash
# Interoperability: the official Walrus TypeScript SDK (@mysten/walrus with @mysten/sui's
# SuiGrpcClient over gRPC-web) against a fresh haulout localnet with the wal and walrus
# packages at genesis: system/staking state, storage cost, buying storage, registering a blob
# with attributes, reading them back and deleting the blob. Needs Node.js and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node/npm not found: install Node.js to run the Walrus TypeScript interop test" >&2
  exit 1
fi
cargo build --locked -p haulout-localnet --bin haulout-localnet
target_dir="${CARGO_TARGET_DIR:-target}"
(cd crates/localnet/walrus-ts && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d)"
log="$data.log"
"$target_dir/debug/haulout-localnet" --data "$data" --fresh --listen 127.0.0.1:0 --accounts 2 \
  --nodes 4 --n-shards 12 --epoch-duration 1h >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data" "$log"; }
trap cleanup EXIT
for _ in $(seq 1 300); do
  [ -f "$data/localnet.json" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -f "$data/localnet.json" ] || { echo "localnet did not start" >&2; cat "$log" >&2; exit 1; }
(cd crates/localnet/walrus-ts && LOCALNET_DIR="$data" node --test walrus.test.mjs)
