#!/usr/bin/env bash
# The blame benchmark: the attribution engine alone (segments scored per second, no I/O), then
# POST /api/v1/blame end to end on PostgreSQL and on SQLite for 100- and 2,000-segment files,
# with and without ledgers, on one project of 100,000 traces and 10,000 commit links (5-15
# traces per commit, ledgers on the newer half), 16 connections.
#
#   bench/blame.sh [BUILD_DIR]        (default build-bench; `make bench` builds it)
#
# Environment: BACKENDS, DURATION, WARMUP, KEEP, SERVER_ENV as for bench/e2e.sh; BENCH_TRACES
# (100000) and the other BENCH_* variables of bench/seed.py change the dataset. The load repeats
# a few files, so past the first requests the service answers from its answer cache;
# SERVER_ENV=ANSWER_CACHE_MB=0 measures every answer built from the database.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build-bench}" && pwd)

echo "== engine only (bench/attribution_bench.cpp)"
"$build/bench/attribution_bench" --benchmark_filter='BM_Attribute/' --benchmark_min_time=0.5
echo

BENCH_PROJECTS=${BENCH_PROJECTS:-1} BENCH_TRACES=${BENCH_TRACES:-100000} \
  BENCH_COMMIT_TRACES_MIN=${BENCH_COMMIT_TRACES_MIN:-5} \
  BENCH_COMMIT_TRACES_MAX=${BENCH_COMMIT_TRACES_MAX:-15} BENCH_TRANSCRIPTS=${BENCH_TRANSCRIPTS:-20} \
  SCENARIOS=blame_heur,blame_ledger,blame_heur_2k,blame_ledger_2k \
  RESULTS_DIR=${RESULTS_DIR:-$build/blame-results} \
  "$root/bench/e2e.sh" "$build"
