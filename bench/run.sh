#!/usr/bin/env bash
# What `make bench` runs after the release build: every micro benchmark program (bench/*_bench.cpp,
# Google Benchmark), then the end-to-end benchmark on both backends (bench/e2e.sh).
#
#   bench/run.sh [BUILD_DIR]      (default build-bench)
#
# Environment: MICRO=0 or E2E=0 skips a part; MICRO_ARGS are passed to every micro benchmark
# program (default --benchmark_min_time=0.2); everything else is read by bench/e2e.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build-bench}" && pwd)

if [ "${MICRO:-1}" != 0 ]; then
  for src in "$root"/bench/*_bench.cpp; do
    name=$(basename "$src" .cpp)
    prog=$build/bench/$name
    [ -x "$prog" ] || { echo "bench: $prog was not built" >&2; exit 1; }
    echo "== micro: $name"
    # shellcheck disable=SC2086  # MICRO_ARGS is a list of flags
    "$prog" ${MICRO_ARGS:---benchmark_min_time=0.2}
    echo
  done
fi

if [ "${E2E:-1}" != 0 ]; then
  "$root/bench/e2e.sh" "$build"
fi
