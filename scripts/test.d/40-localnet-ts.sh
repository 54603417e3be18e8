#!/usr/bin/env bash
# Interoperability: the official TypeScript SDK (@mysten/sui SuiGrpcClient over gRPC-web)
# against a fresh haulout localnet (and a second one with 1 s Sui epochs). Needs Node.js and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node/npm not found: install Node.js to run the TypeScript interop test" >&2
  exit 1
fi
cargo build --locked -p haulout-localnet --bin haulout-localnet
target_dir="${CARGO_TARGET_DIR:-target}"
(cd crates/localnet/ts && npm ci --no-audit --no-fund --loglevel=error)

# Starts a fresh chain with extra flags in a temp dir; sets $data. Stopped and removed at exit.
pids=()
dirs=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for d in "${dirs[@]}"; do rm -rf "$d" "$d.log"; done
}
trap cleanup EXIT
start_chain() {
  data="$(mktemp -d)"
  dirs+=("$data")
  "$target_dir/debug/haulout-localnet" --data "$data" --fresh --listen 127.0.0.1:0 --accounts 2 --nodes 0 \
    "$@" >"$data.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    [ -f "$data/localnet.json" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$data.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -f "$data/localnet.json" ] || { echo "localnet did not start" >&2; cat "$data.log" >&2; exit 1; }
}

# The default 60 s Sui epoch.
start_chain
(cd crates/localnet/ts && LOCALNET_DIR="$data" node --test interop.test.mjs)
# Short Sui epochs: end-of-epoch checkpoints, ChangeEpoch and GetEpoch as the SDK reads them.
start_chain --sui-epoch-duration 1s
(cd crates/localnet/ts && LOCALNET_DIR="$data" node --test epochs.test.mjs)
