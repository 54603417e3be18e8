#!/usr/bin/env bash
# The README's governance walkthrough, scripted with its results checked, on a network run by
# `haulout up` in the foreground and stopped with Ctrl-C (SIGINT) at the end:
# stake WAL with a node, propose a parameter change once the stake is active, vote yes with it,
# finalize after the voting period, execute; the indexer's `haulout proposals` follows each step.
# Genesis stakes 1,000 WAL per node (`--stake-per-node 1000`) so that one funded account's stake
# reaches the 20% quorum; 15 s epochs keep the whole run near a minute.
set -euo pipefail
set -m # background jobs get their own process group, so SIGINT reaches `haulout up` as Ctrl-C would
cd "$(dirname "$0")/../.."
cargo build --locked --bin haulout --bin haulout-indexer
haulout="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/haulout"
data="$(mktemp -d)"
pg_port="${HAULOUT_GOV_TEST_PG_PORT:-5440}"
up_pid=""
cleanup() {
  [ -n "$up_pid" ] && kill -INT "$up_pid" 2>/dev/null && wait "$up_pid" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
fail() { echo "65-governance: $1" >&2; for f in "$data"/logs/*.log; do echo "== $f" >&2; tail -15 "$f" >&2; done; exit 1; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
net=(--json --network "$data/localnet/localnet.json")
epoch() { "$haulout" "${net[@]}" info | json 'd["epoch"]'; }
wait_epoch() { # bounded: 40 epochs of 15 s would be 10 minutes
  for _ in $(seq 1 600); do [ "$(epoch)" -ge "$1" ] && return 0; sleep 1; done
  fail "epoch $1 never came"
}
proposal_field() { "$haulout" "${net[@]}" proposals | json "[p for p in d['proposals'] if p['title'] == 'Raise the quorum'][0]['$1']"; }

"$haulout" --json up --data "$data" --fresh --epoch-duration 15s --stake-per-node 1000 \
  --postgres-port "$pg_port" >"$data/up.out" 2>"$data/up.err" &
up_pid=$!
for _ in $(seq 1 300); do [ -s "$data/up.out" ] && break; kill -0 "$up_pid" 2>/dev/null || fail "haulout up exited"; sleep 0.2; done
[ -s "$data/up.out" ] || fail "haulout up did not become ready"
pids="$(json '" ".join(str(s["pid"]) for s in d["services"])' <"$data/up.out")"
pg_dir="$(json 'd["postgresDir"]' <"$data/up.out")"

node="$("$haulout" "${net[@]}" nodes | json 'd["nodes"][0]["nodeId"]')"
staked="$("$haulout" "${net[@]}" stake --node "$node" --amount 5000 | json 'd["stakedWalId"]')" || fail "stake failed"
# Stake counts from the epoch after next at the latest.
wait_epoch "$(($(epoch) + 2))"
proposal="$("$haulout" "${net[@]}" propose --title "Raise the quorum" \
  --set-parameter governance.quorum_bps=2500 --stake "$staked" | json 'd["proposalId"]')" || fail "propose failed"
"$haulout" "${net[@]}" vote "$proposal" yes --stake "$staked" >/dev/null || fail "vote failed"
if "$haulout" "${net[@]}" vote "$proposal" no --stake "$staked" 2>"$data/err"; then fail "a second vote was accepted"; fi
grep -q EAlreadyVoted "$data/err" || fail "a second vote failed without naming EAlreadyVoted: $(cat "$data/err")"
if "$haulout" "${net[@]}" finalize "$proposal" 2>"$data/err"; then fail "finalize before the voting end was accepted"; fi
grep -q EVotingNotEnded "$data/err" || fail "an early finalize did not name EVotingNotEnded: $(cat "$data/err")"

for _ in $(seq 1 100); do [ "$(proposal_field yes)" = 5000000000000 ] && break; sleep 0.2; done
[ "$(proposal_field yes)" = 5000000000000 ] || fail "the indexer does not show the yes vote (yes=$(proposal_field yes))"
[ "$(proposal_field status)" = ACTIVE ] || fail "the proposal is not ACTIVE while voting"

wait_epoch "$(proposal_field votingEndEpoch)"
"$haulout" "${net[@]}" finalize "$proposal" >/dev/null || fail "finalize failed"
"$haulout" "${net[@]}" execute "$proposal" >/dev/null || fail "execute failed"
for _ in $(seq 1 100); do [ "$(proposal_field status)" = EXECUTED ] && break; sleep 0.2; done
[ "$(proposal_field status)" = EXECUTED ] || fail "the indexer does not show the proposal EXECUTED ($(proposal_field status))"

# Ctrl-C stops every service, Postgres included, and `haulout up` exits cleanly.
kill -INT "$up_pid"
rc=0
wait "$up_pid" || rc=$?
up_pid=""
[ "$rc" = 0 ] || fail "haulout up exited with $rc after Ctrl-C: $(tail -5 "$data/up.err")"
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then fail "process $pid still runs after Ctrl-C"; fi
done
if [ -e "$pg_dir/postmaster.pid" ]; then fail "Postgres still runs after Ctrl-C"; fi
echo "65-governance: ok (proposal $proposal executed; Ctrl-C stopped $(wc -w <<<"$pids") services)"
