#!/usr/bin/env bash
# The test command (`make test`): installs what is missing, builds, starts a throw-away
# PostgreSQL server on loopback, and runs every test (unit, storage conformance on SQLite and
# PostgreSQL, HTTP against the real binary) with CTest, printing its summary.
#
#   BUILD=build-asan CMAKE_FLAGS="-DATS_SANITIZE=ON" scripts/test.sh   # sanitizer run
#   CTEST_ARGS="-L unit" scripts/test.sh                                # a subset
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc)}

scripts/install-deps.sh
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} ${CMAKE_FLAGS:-} >/dev/null
cmake --build "$BUILD" -j "$JOBS"

pg_dir=$(mktemp -d /tmp/ats-test-pg.XXXXXX)
chmod 755 "$pg_dir"
cleanup() { "$ROOT/scripts/pg-test-server.sh" stop "$pg_dir" || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
ATS_TEST_PG_URL=$(scripts/pg-test-server.sh start "$pg_dir")
export ATS_TEST_PG_URL
echo "test PostgreSQL: $ATS_TEST_PG_URL"

cd "$BUILD"
if [ -n "${CTEST_ARGS:-}" ]; then
  ctest --output-on-failure -j "$JOBS" --timeout 600 $CTEST_ARGS
  exit
fi
ctest --output-on-failure -j "$JOBS" --timeout 600 -E ReliabilityOutage
# The outage tests time the service's answers while its database is stopped or frozen; run alone,
# the load of other tests cannot stretch those timings.
ctest --output-on-failure --timeout 600 -R ReliabilityOutage
