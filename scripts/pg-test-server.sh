#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on loopback for the tests and benchmarks.
#
#   scripts/pg-test-server.sh start DIR   → prints the connection URL on stdout
#   scripts/pg-test-server.sh stop DIR
#
# The server's data lives under DIR; it listens on 127.0.0.1 only, on a free port. Starting again
# after a stop reuses DIR's data and port (DIR/port), so the URL stays the same: the outage tests
# restart the server underneath a running service this way. PostgreSQL refuses to run as root, so
# as root it runs as the `postgres` system user.
set -euo pipefail
action=${1:?start|stop}
dir=${2:?data directory}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      # --no-sync: a throw-away cluster need not survive an OS crash during initdb, and skipping
      # the fsyncs makes initdb several times faster on a busy machine.
      as_owner "$pg_bin/initdb" --no-sync -D "$dir/data" -U ats --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if [ -s "$dir/port" ]; then
      port=$(cat "$dir/port")
    else
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    fi
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=256MB -c fsync=on" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    exists=$(as_owner "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U ats -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'ats_test'")
    [ "$exists" = 1 ] || as_owner "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U ats ats_test
    echo "postgresql://ats@127.0.0.1:$port/ats_test"
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
