#!/usr/bin/env bash
# Starts (or reuses) a project-local PostgreSQL cluster for the indexer and its tests, installing
# PostgreSQL from Debian's packages when it is missing. Idempotent: a running cluster is reused.
#   data directory  $HAULOUT_PG_DIR  (default .data/postgres)
#   port            $HAULOUT_PG_PORT (default 5433), listening on 127.0.0.1 only
# The last line of output is the connection URL (postgres://haulout:haulout@127.0.0.1:PORT/haulout).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_DIR="${HAULOUT_PG_DIR:-.data/postgres}"
PG_PORT="${HAULOUT_PG_PORT:-5433}"
mkdir -p "$(dirname "$PG_DIR")"
PG_DIR="$(cd "$(dirname "$PG_DIR")" && pwd)/$(basename "$PG_DIR")"

find_bin() {
  local name="$1" dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
  done
  command -v "$name" 2>/dev/null || return 1
}

if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
  echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
INITDB="$(find_bin initdb)"
PG_CTL="$(find_bin pg_ctl)"
BIN_DIR="$(dirname "$PG_CTL")"

# The server refuses to run as root: run it as an unprivileged user that owns the data directory.
run_pg() {
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    chown -R "$user" "$PG_DIR"
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

# As root the server runs as `postgres`, which must be able to reach the data directory: when a
# parent directory is closed to it (a clone under /root), keep the cluster under /var/lib and
# leave a symbolic link at $PG_DIR.
if [ "$(id -u)" = 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  if [ ! -L "$PG_DIR" ] && ! runuser -u postgres -- test -x "$(dirname "$PG_DIR")"; then
    real="/var/lib/haulout-postgres/$(printf %s "$PG_DIR" | sha1sum | cut -c1-12)"
    mkdir -p "$real"
    if [ -d "$PG_DIR" ] && [ ! -L "$PG_DIR" ]; then rmdir "$PG_DIR" 2>/dev/null || true; fi
    ln -sfn "$real" "$PG_DIR"
  fi
  if [ -L "$PG_DIR" ]; then PG_DIR="$(readlink -f "$PG_DIR")"; fi
fi

if [ ! -s "$PG_DIR/PG_VERSION" ]; then
  mkdir -p "$PG_DIR"
  chmod 700 "$PG_DIR"
  pwfile="$(mktemp)"
  echo haulout > "$pwfile"
  chmod 644 "$pwfile"
  [ "$(id -u)" = 0 ] && { id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres; chown postgres "$PG_DIR"; }
  run_pg "$INITDB" -D "$PG_DIR" -U haulout --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C >&2
  rm -f "$pwfile"
  cat >> "$PG_DIR/postgresql.conf" <<CONF
# haulout: local development and tests
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
fsync = on
CONF
fi

if ! run_pg "$PG_CTL" -D "$PG_DIR" status >/dev/null 2>&1; then
  run_pg "$PG_CTL" -D "$PG_DIR" -o "-p $PG_PORT" -l "$PG_DIR/server.log" -w -t 60 start >&2
elif [ "$(sed -n 4p "$PG_DIR/postmaster.pid" 2>/dev/null)" != "$PG_PORT" ]; then
  # Running, but on another port than asked for now: move it.
  run_pg "$PG_CTL" -D "$PG_DIR" -o "-p $PG_PORT" -l "$PG_DIR/server.log" -m fast -w -t 60 restart >&2
fi

# Wait until it accepts connections, then make sure the database exists.
for _ in $(seq 1 60); do
  if PGPASSWORD=haulout "$BIN_DIR/psql" -h 127.0.0.1 -p "$PG_PORT" -U haulout -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done
if ! PGPASSWORD=haulout "$BIN_DIR/psql" -h 127.0.0.1 -p "$PG_PORT" -U haulout -d postgres -tAc \
  "select 1 from pg_database where datname = 'haulout'" | grep -q 1; then
  PGPASSWORD=haulout "$BIN_DIR/psql" -h 127.0.0.1 -p "$PG_PORT" -U haulout -d postgres -qc 'create database haulout' >&2
fi
echo "postgres://haulout:haulout@127.0.0.1:${PG_PORT}/haulout"
