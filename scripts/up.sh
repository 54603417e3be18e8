#!/usr/bin/env bash
# Builds haulout and brings a whole local network up: the chain, 10 storage nodes, Postgres,
# the indexer with GraphQL (127.0.0.1:8000) and the publisher/aggregator (127.0.0.1:31415).
# Arguments go to `haulout up` (e.g. --fresh, --detach, --nodes 4, --epoch-duration 2m).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo build --release --locked --bin haulout --bin haulout-indexer
exec "${CARGO_TARGET_DIR:-target}/release/haulout" up "$@"
