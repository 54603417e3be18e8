# Shared by the scripts in scripts/test.d that start a local network: source it after `cd` to
# the repository. It gives a temporary directory `$data`, a list `pids` of background processes
# (killed, waited for and the directory removed on exit), `fail MESSAGE` (prints the message and
# the tail of every `$data/*.log`, then exits 1), `need_node WHAT`, `free_base N` (the first of
# N consecutive free ports on 127.0.0.1) and `wait_http URL` (until it answers 2xx, or fail).

need_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "node/npm not found: install Node.js to run $1" >&2
    exit 1
  fi
}

data="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
fail() {
  echo "$1" >&2
  for f in "$data"/*.log; do
    [ -e "$f" ] || continue
    echo "== $f" >&2
    tail -20 "$f" >&2
  done
  exit 1
}

free_base() {
  python3 - "$1" <<'PY'
import socket, random, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 32000 - n)  # below the ephemeral range (32768+)
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

wait_http() {
  for _ in $(seq 1 600); do
    curl -sf "$1" >/dev/null && return 0
    sleep 0.1
  done
  fail "$1 does not answer"
}

# start_network NODES SHARDS: `$haulout localnet` in `$data/chain` (1 h epochs, two funded
# accounts) and NODES `$haulout node` processes, on free ports; waits until every node and the
# chain's key servers answer. Sets `node_base` and `key_server_base` (three key servers).
start_network() {
  local nodes="$1" shards="$2" i
  node_base="$(free_base $((nodes + 3)))"
  key_server_base=$((node_base + nodes))
  "$haulout" localnet --data "$data/chain" --fresh --listen 127.0.0.1:0 --accounts 2 \
    --nodes "$nodes" --n-shards "$shards" --epoch-duration 1h --node-base-port "$node_base" \
    --key-server-base-port "$key_server_base" >"$data/localnet.log" 2>&1 &
  pids+=($!)
  local chain_pid=$!
  for _ in $(seq 1 600); do
    [ -f "$data/chain/localnet.json" ] && [ -f "$data/chain/nodes/$((nodes - 1))/node.toml" ] && break
    kill -0 "$chain_pid" 2>/dev/null || fail "localnet exited"
    sleep 0.1
  done
  [ -f "$data/chain/localnet.json" ] || fail "localnet did not start"
  for i in $(seq 0 $((nodes - 1))); do
    "$haulout" node --config "$data/chain/nodes/$i/node.toml" >"$data/node$i.log" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 0 $((nodes - 1))); do wait_http "http://127.0.0.1:$((node_base + i))/v1/health"; done
  for i in 0 1 2; do wait_http "http://127.0.0.1:$((key_server_base + i))/health"; done
}
