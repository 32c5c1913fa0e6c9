#!/usr/bin/env bash
# Soak test: starts the service (SQLite in a temp directory unless DATABASE_URL says otherwise),
# drives it with mixed load for SOAK_MINUTES (bench/soak_load.py: ingest, batches, commit links,
# conversations, reads, lists, blame, health), samples its resident memory, then stops it with
# SIGTERM. Reports RSS at start, after warm-up and at the end, the request count and the error
# count.
#
#   bench/soak.sh                                   # 10 minutes against SQLite
#   SOAK_MINUTES=1 bench/soak.sh                    # a quick one
#   DATABASE_URL=postgresql://user@host/db bench/soak.sh
#
# Environment: SOAK_MINUTES (10), SOAK_CLIENTS (8 client threads), SOAK_RATE (requests/s over
# all clients; 0 = as fast as they go), SOAK_RSS_SLACK_MIB (32) and SOAK_RSS_SLACK_PERCENT (15):
# the RSS growth allowed between the end of the warm-up (20% of the run, at most 2 minutes, while
# caches fill) and the end; SOAK_ONLY (a subset of the request kinds, e.g. ingest,list: to find
# which one a memory growth comes with); BIN (the binary; default $BUILD/agent-trace-service,
# BUILD=build).
#
# Exit status 0 when there was no error, RSS stayed within the slack and the service exited 0 on
# SIGTERM; 1 otherwise; 2 when it could not start.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-${BUILD:-build}/agent-trace-service}
[ -x "$BIN" ] || { echo "soak: no binary at $BIN (run make build, or set BIN)" >&2; exit 2; }
BIN=$(realpath "$BIN")
minutes=${SOAK_MINUTES:-10}

work=$(mktemp -d /tmp/ats-soak.XXXXXX)
db_url=${DATABASE_URL:-sqlite:///$work/soak.db}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Development mode (no AUTH_SECRET) on loopback: the load mints its own token. It runs in the
# temp directory, so that no .env file of the caller's directory applies.
(cd "$work" && exec env -u AUTH_SECRET LOG_LEVEL=warn "$BIN" serve --host 127.0.0.1 \
  --port "$port" --database-url "$db_url" >"$work/service.log" 2>&1) &
pid=$!
for _ in $(seq 1 200); do
  python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" && break
  kill -0 "$pid" 2>/dev/null || { echo "soak: the service exited at start:" >&2; cat "$work/service.log" >&2; exit 2; }
  sleep 0.1
done
echo "soak: $BIN on port $port, pid $pid, database ${db_url%%\?*}"

status=0
python3 bench/soak_load.py --port "$port" --pid "$pid" \
  --seconds "$(python3 -c "print(float('$minutes') * 60)")" \
  --clients "${SOAK_CLIENTS:-8}" --rate "${SOAK_RATE:-0}" \
  --rss-slack-mib "${SOAK_RSS_SLACK_MIB:-32}" --rss-slack-percent "${SOAK_RSS_SLACK_PERCENT:-15}" \
  ${SOAK_ONLY:+--only "$SOAK_ONLY"} || status=1

kill -TERM "$pid"
exit_code=0
wait "$pid" || exit_code=$?
pid=
echo "service exit status after SIGTERM: $exit_code"
if [ "$exit_code" -ne 0 ]; then
  echo "soak: FAIL: the service did not exit cleanly; its log:" >&2
  tail -n 50 "$work/service.log" >&2
  status=1
fi
if grep -qiE 'error|fatal' "$work/service.log"; then
  echo "soak: the service logged errors:" >&2
  grep -iE 'error|fatal' "$work/service.log" | head -n 20 >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL"
exit "$status"
