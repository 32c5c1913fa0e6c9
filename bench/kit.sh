#!/usr/bin/env bash
# The reference load kit (the yardstick of the performance targets, a folder with seed.py,
# run.sh and report.py; see its README) against the release binary, on PostgreSQL and SQLite.
#
#   KIT_DIR=path/to/bench-kit bench/kit.sh [BUILD_DIR]     (default build-bench: `make bench`)
#
# For each backend: a fresh database (a throw-away PostgreSQL server from
# scripts/pg-test-server.sh, or a new SQLite file), the service on a free loopback port with
# LOG_LEVEL=warn, the kit's standard dataset loaded by its seed.py, then its run.sh (every
# scenario, REPEAT passes, the service's peak memory sampled) and its report.py median table
# beside the older service's best figures. Results: RESULTS_DIR/<backend>.tsv.
#
# Environment: KIT_DIR (required), BACKENDS ("postgresql sqlite"), REPEAT (3), DURATION (15),
# WARMUP (3), SCENARIOS (all), RESULTS_DIR (BUILD_DIR/kit-results), KEEP=1 keeps the scratch
# folder; BENCH_* variables reach the kit's generator (e.g. BENCH_TRACES_PER_PROJECT=2000 for a
# quick run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kit=$(cd "${KIT_DIR:?set KIT_DIR to the load kit folder}" && pwd)
build=$(cd "${1:-$root/build-bench}" && pwd)
bin=$build/agent-trace-service
[ -x "$bin" ] || { echo "kit: $bin not found (run make bench)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "kit: wrk is not installed" >&2; exit 1; }
BACKENDS=${BACKENDS:-postgresql sqlite}
RESULTS_DIR=${RESULTS_DIR:-$build/kit-results}
mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)

scratch=$(mktemp -d /tmp/ats-kit.XXXXXX)
chmod 755 "$scratch"
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  [ -d "$scratch/pg" ] && "$root/scripts/pg-test-server.sh" stop "$scratch/pg" || true
  [ "${KEEP:-0}" = 1 ] && echo "kit: scratch kept in $scratch" || rm -rf "$scratch"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for backend in $BACKENDS; do
  case "$backend" in
    postgresql) url=$("$root/scripts/pg-test-server.sh" start "$scratch/pg") ;;
    sqlite) url="sqlite:///$scratch/sqlite/kit.db" ;;
    *) echo "kit: unknown backend $backend" >&2; exit 2 ;;
  esac
  port=$(free_port)
  # Development mode on loopback (the kit mints its tokens), nothing of the caller's environment.
  (cd "$scratch" && exec env -i PATH="$PATH" LOG_LEVEL=warn "$bin" serve --host 127.0.0.1 \
    --port "$port" --database-url "$url" >"$scratch/$backend-service.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS -m 1 "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  base="http://127.0.0.1:$port"
  echo "kit: $backend on $base (pid $pid)"
  rm -f "$RESULTS_DIR/$backend.tsv"  # run.sh appends
  python3 "$kit/seed.py" "$base" --fixtures "$scratch/$backend-fixtures"
  FIXTURES="$scratch/$backend-fixtures" LABEL="$backend" RESULTS_DIR="$RESULTS_DIR" \
    REPEAT=${REPEAT:-3} DURATION=${DURATION:-15} WARMUP=${WARMUP:-3} \
    ${SCENARIOS:+SCENARIOS=$SCENARIOS} "$kit/run.sh" "$base" "$pid"
  python3 "$kit/report.py" --compare "$kit/baseline/older-service-best.tsv" "$RESULTS_DIR/$backend.tsv" || true
  kill -TERM "$pid"
  wait "$pid" || { echo "kit: the service exited with $? on SIGTERM" >&2; exit 1; }
  pid=
  if [ "$backend" = postgresql ]; then "$root/scripts/pg-test-server.sh" stop "$scratch/pg"; fi
done
