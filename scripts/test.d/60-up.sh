#!/usr/bin/env bash
# `haulout up` end to end: a fresh network in a temporary directory (chain, 10 storage nodes,
# Postgres, indexer, daemon), a file stored with the CLI and one over HTTP, both read back and
# found in GraphQL; then the whole network is stopped and started again, and everything is
# still there.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --locked --bin haulout --bin haulout-indexer
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$(pwd)/$target_dir" ;; esac
haulout="$target_dir/debug/haulout"
data="$(mktemp -d)"
pg_port="${HAULOUT_UP_TEST_PG_PORT:-5439}"
cleanup() { "$haulout" down --data "$data" >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT
fail() { echo "60-up: $1" >&2; for f in "$data"/logs/*.log; do echo "== $f" >&2; tail -15 "$f" >&2; done; exit 1; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
gql() { curl -sf http://127.0.0.1:8000/graphql -H 'content-type: application/json' -d "{\"query\":\"$1\"}"; }

start="$(date +%s.%N)"
"$haulout" --json up --data "$data" --detach --epoch-duration 10m --postgres-port "$pg_port" >"$data/up.out" || fail "haulout up failed"
echo "fresh network ready in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
[ "$(json 'len(d["services"])' <"$data/up.out")" = 13 ] || fail "expected 13 services"
net=(--network "$data/localnet/localnet.json")

head -c 300000 /dev/urandom >"$data/file"
blob="$("$haulout" --json "${net[@]}" store "$data/file" --epochs 3 | json 'd["blobs"][0]["blobId"]')"
"$haulout" "${net[@]}" read "$blob" --out "$data/back" >/dev/null
cmp "$data/file" "$data/back" || fail "the CLI read back other bytes"
http_blob="$(curl -sf -X PUT --data-binary @"$data/file" 'http://127.0.0.1:31415/v1/blobs?epochs=2&permanent=true' |
  json 'd["newlyCreated"]["blobObject"]["blobId"]')" || fail "PUT /v1/blobs failed"
curl -sf "http://127.0.0.1:31415/v1/blobs/$http_blob" -o "$data/back2" || fail "GET /v1/blobs failed"
cmp "$data/file" "$data/back2" || fail "the daemon served other bytes"

# The indexer sees the blob certified (it follows the chain a checkpoint behind at most).
for _ in $(seq 1 100); do
  status="$(gql "{ blob(blobId: \\\"$blob\\\") { status } }" | json 'd["data"]["blob"]["status"] if d["data"]["blob"] else ""')" || true
  [ "$status" = CERTIFIED ] && break
  sleep 0.2
done
[ "$status" = CERTIFIED ] || fail "GraphQL does not show the blob certified (got '$status')"
before="$(gql '{ stats { blobCount certifiedBlobCount } }' | json 'd["data"]["stats"]')"

"$haulout" down --data "$data" >/dev/null || fail "haulout down failed"
start="$(date +%s.%N)"
"$haulout" up --data "$data" --detach --postgres-port "$pg_port" >/dev/null || fail "the second haulout up failed"
echo "network resumed in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
"$haulout" "${net[@]}" read "$blob" --out "$data/back3" >/dev/null
cmp "$data/file" "$data/back3" || fail "after the restart the blob reads back other bytes"
after="$(gql '{ stats { blobCount certifiedBlobCount } }' | json 'd["data"]["stats"]')"
[ "$before" = "$after" ] || fail "the indexer's stats changed across the restart: $before -> $after"
echo "60-up: ok ($after)"
