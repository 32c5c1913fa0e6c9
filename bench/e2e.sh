#!/usr/bin/env bash
# End-to-end benchmark: the real binary on PostgreSQL and on SQLite, loaded with wrk.
#
#   bench/e2e.sh [BUILD_DIR]          (default build-bench; `make bench` builds it in release mode)
#
# For each backend: a fresh database (a throw-away PostgreSQL server from
# scripts/pg-test-server.sh, or a new SQLite file), the service on a free loopback port with
# LOG_LEVEL=warn, the dataset of bench/seed.py loaded through the API, then every scenario of
# bench/lua/ for DURATION seconds after WARMUP seconds of the same load. Prints one table per
# backend and writes it as TSV to RESULTS_DIR/<backend>.tsv.
#
# Environment:
#   DURATION (10)  WARMUP (2)  seconds per scenario
#   THREADS (2)                wrk threads
#   BACKENDS ("postgresql sqlite")
#   SCENARIOS (all)            a comma-separated subset, e.g. health,get_one
#   CONNS_<scenario>           connections for one scenario (defaults: the issue's table)
#   RESULTS_DIR (BUILD_DIR/bench-results)
#   SERVER_ENV                 settings for the service, e.g. "WORKER_THREADS=16 DB_POOL_SIZE=8"
#                              (nothing else of the caller's environment reaches it)
#   KEEP=1                     keep the scratch folder (databases, server logs, seeded data)
#   BENCH_PROJECTS, BENCH_TRACES, BENCH_TRANSCRIPTS, ...   dataset size (see bench/seed.py)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build-bench}" && pwd)
bin=$build/agent-trace-service
[ -x "$bin" ] || { echo "e2e: $bin not found (run make bench)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "e2e: wrk is not installed" >&2; exit 1; }

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
BACKENDS=${BACKENDS:-postgresql sqlite}
SCENARIOS=${SCENARIOS:-all}
RESULTS_DIR=${RESULTS_DIR:-$build/bench-results}

# name, connections, wrk script, script argument, target req/s on PostgreSQL (- for none)
scenario_table="
health          32 health.lua        -          20000
list            32 list.lua          -          5000
get_one         32 get_one.lua       -          15000
blame_heur      16 blame.lua         heur       1000
blame_ledger    16 blame.lua         ledger     2000
blame_heur_2k   16 blame.lua         heur2000   -
blame_ledger_2k 16 blame.lua         ledger2000 -
conv_get        16 conv_get.lua      -          5000
ingest_single   32 ingest.lua        single     8000
ingest_batch    16 ingest.lua        batch      400
conv_sync       16 conv_sync.lua     -          3000
"

work=$(mktemp -d /tmp/ats-bench.XXXXXX)
chmod 755 "$work"
server_pid=""
pg_started=""
failures=0
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  [ -n "$pg_started" ] && "$root/scripts/pg-test-server.sh" stop "$work/pg" || true
  if [ "${KEEP:-0}" = 1 ]; then echo "e2e: scratch folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Peak resident memory of the server in KB since the last reset_peak (VmHWM).
peak_kb() {
  local key value rest
  while read -r key value rest; do
    [ "$key" = "VmHWM:" ] && { echo "$value"; return; }
  done <"/proc/$server_pid/status"
  echo 0
}
# Sets the high-water mark back to the current resident size, so that the next peak_kb is the
# peak of one scenario (Linux: clear_refs 5). Without it the figures are cumulative.
reset_peak() { { echo 5 >"/proc/$server_pid/clear_refs"; } 2>/dev/null || true; }

wanted() { [ "$SCENARIOS" = all ] || [[ ",$SCENARIOS," == *",$1,"* ]]; }

start_server() {  # backend-dir url
  local dir=$1 url=$2
  port=$(free_port)
  base="http://127.0.0.1:$port"
  # The defaults of every setting but the ones named in SERVER_ENV: an empty environment, and a
  # working folder without a .env.
  # shellcheck disable=SC2086  # SERVER_ENV is a list of NAME=VALUE words
  (cd "$dir" && exec env -i PATH="$PATH" LOG_LEVEL=warn ${SERVER_ENV:-} \
     "$bin" serve --port "$port" --database-url "$url" >"$dir/server.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$base/health" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "e2e: the service did not come up; its log:" >&2
  cat "$dir/server.log" >&2
  exit 1
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# One wrk run of the current scenario (the caller's conns, script, args) for $1 seconds.
run_wrk() {
  ATS_BENCH_LUA=$root/bench/lua ATS_BENCH_DATA=$dir/data \
    wrk -t "$THREADS" -c "$conns" -d "$1s" --timeout 10s -s "$root/bench/lua/$script" "$base" "${args[@]}" </dev/null
}

run_backend() {  # label key url
  local label=$1 key=$2 url=$3
  local dir=$work/$key
  mkdir -p "$dir"
  start_server "$dir" "$url"
  echo "== $label: seeding"
  python3 "$root/bench/seed.py" "$base" "$dir/data" | tee "$dir/seed.log"
  local overall
  overall=$(peak_kb)

  local tsv=$RESULTS_DIR/$key.tsv
  printf 'scenario\tconnections\treq_per_s\tp50_ms\tp99_ms\terrors\tpeak_rss_mb\ttarget_req_per_s\n' >"$tsv"
  local name conns script arg target
  while read -r name conns script arg target; do
    [ -n "$name" ] && wanted "$name" || continue
    local var=CONNS_$name
    conns=${!var:-$conns}
    [ "$key" = sqlite ] && [ "$target" != - ] && target=$((target / 2))
    local args=()
    [ "$arg" != - ] && args=(-- "$arg")
    echo "== $label: $name ($conns connections, ${WARMUP}s warm-up + ${DURATION}s)"
    [ "$WARMUP" = 0 ] || run_wrk "$WARMUP" >/dev/null 2>&1 || true
    reset_peak
    run_wrk "$DURATION" >"$dir/$name.out" 2>&1 || true
    if ! kill -0 "$server_pid" 2>/dev/null; then
      # Report it in the table, and go on with a new process on the same database.
      local status=0
      wait "$server_pid" 2>/dev/null || status=$?
      echo "e2e: the service died during $name (exit status $status); the end of its log:" >&2
      tail -20 "$dir/server.log" >&2
      printf '%s\t%s\t-\t-\t-\tdied\t-\t%s\n' "$name" "$conns" "$target" >>"$tsv"
      failures=$((failures + 1))
      mv "$dir/server.log" "$dir/server-died-$name.log"
      start_server "$dir" "$url"
      continue
    fi
    local peak
    peak=$(peak_kb)
    [ "$peak" -gt "$overall" ] && overall=$peak
    local result
    result=$(grep '^ATS_RESULT' "$dir/$name.out" || true)
    if [ -z "$result" ]; then
      echo "e2e: wrk failed for $name:" >&2
      cat "$dir/$name.out" >&2
      printf '%s\t%s\t-\t-\t-\twrk failed\t-\t%s\n' "$name" "$conns" "$target" >>"$tsv"
      failures=$((failures + 1))
      continue
    fi
    awk -F'\t' -v name="$name" -v conns="$conns" -v peak="$peak" -v target="$target" '{
      printf "%s\t%s\t%.1f\t%.2f\t%.2f\t%d\t%.1f\t%s\n", name, conns, $2 / ($3 / 1e6), $4, $5,
             $6 + $7, peak / 1024, target }' <<<"$result" >>"$tsv"
  done <<<"$scenario_table"
  stop_server

  echo
  echo "$label: $(sed -n 's/^seeded //p' "$dir/seed.log" 2>/dev/null)"
  awk -F'\t' '
    NR == 1 { printf "%-15s %5s %10s %9s %9s %7s %12s %10s\n", "scenario", "conns", "req/s",
                     "p50 ms", "p99 ms", "errors", "peak RSS MB", "target" ; next }
    { printf "%-15s %5s %10s %9s %9s %7s %12s %10s\n", $1, $2, $3, $4, $5, $6, $7, $8 == "-" ? "-" : ">= " $8 }' "$tsv"
  printf 'server peak RSS over the whole run, seeding included: %.1f MB\n' "$(echo "$overall" | awk '{print $1 / 1024}')"
  echo
}

mkdir -p "$RESULTS_DIR"
for backend in $BACKENDS; do
  case "$backend" in
    postgresql|postgres|pg)
      url=$("$root/scripts/pg-test-server.sh" start "$work/pg")
      pg_started=1
      run_backend PostgreSQL postgresql "$url"
      ;;
    sqlite)
      mkdir -p "$work/sqlite"
      run_backend SQLite sqlite "sqlite:///$work/sqlite/bench.db"
      ;;
    *) echo "e2e: unknown backend $backend (postgresql, sqlite)" >&2; exit 2 ;;
  esac
done
echo "wrk and the service share this machine's $(nproc) cores; results as TSV in $RESULTS_DIR"
if [ "$failures" -gt 0 ]; then
  echo "e2e: $failures scenario run(s) failed (see above)" >&2
  exit 1
fi
