#!/usr/bin/env bash
# The fuzz command (`make fuzz`): builds the libFuzzer targets of fuzz/ with clang into
# build-fuzz, derives seed corpora from tests/fixtures, and runs every target for FUZZ_SECONDS.
# Exits non-zero when a target finds a crash, a leak, undefined behaviour or a broken property;
# the input that did it is saved under $BUILD/fuzz/artifacts/<target>/ (replay it with
# `$BUILD/fuzz/fuzz_<target> <file>`, then make it a regression test).
#
#   FUZZ_SECONDS=10 scripts/fuzz.sh                 # shorter (CI)
#   FUZZ_TARGETS="token timestamp" scripts/fuzz.sh  # a subset
#
# The corpus each target grows is kept in $BUILD/fuzz/corpus/<target>/ and reused by later runs;
# it is build output, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
ALL_TARGETS="trace_validation request_bodies blame token http_request timestamp"
FUZZ_TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}

scripts/install-deps.sh
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: clang libclang-rt-dev"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-dev
fi

CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATS_FUZZ=ON \
  -DATS_BUILD_TESTS=OFF -DATS_BUILD_BENCH=OFF >/dev/null
targets=()
for t in $FUZZ_TARGETS; do targets+=("fuzz_$t"); done
cmake --build "$BUILD" -j "$JOBS" --target "${targets[@]}"

work="$BUILD/fuzz"
echo "seed corpora:"
python3 fuzz/make_seeds.py tests/fixtures fuzz/seeds "$work/seeds"

dict_of() {
  case "$1" in
    trace_validation|request_bodies|blame) echo fuzz/dicts/json.dict ;;
    http_request) echo fuzz/dicts/http.dict ;;
    token) echo fuzz/dicts/token.dict ;;
    timestamp) echo fuzz/dicts/timestamp.dict ;;
  esac
}

# UBSan reports are findings, not warnings; leaks too. The fuzz build compiles with
# -fno-omit-frame-pointer, so the stack traces are usable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}

failed=()
summary=()
for t in $FUZZ_TARGETS; do
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t"
  log="$work/logs/$t.log"
  rm -rf "$artifacts"  # only this run's findings
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")" "$work/seeds/$t"
  echo "fuzz_$t: ${FUZZ_SECONDS}s"
  # max_len: the blame cases and the recorded bodies run to ~20 KB; HTTP inputs stay small so
  # that they reach the server's (reduced) limits.
  max_len=32768
  [ "$t" = http_request ] && max_len=16384
  status=0
  "$work/fuzz_$t" "$corpus" "$work/seeds/$t" \
    -max_total_time="$FUZZ_SECONDS" -timeout=25 -rss_limit_mb=2560 -max_len="$max_len" \
    -dict="$(dict_of "$t")" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  line="fuzz_$t: ${runs:-?} runs, ${speed:-?} exec/s, peak RSS ${rss:-?} MB, corpus $(ls "$corpus" | wc -l) files"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    line+=" -- FAILED (exit $status), see $log"
    grep -E "ERROR: |runtime error|fuzz property violated|SUMMARY|Test unit written" "$log" | head -20 || true
  fi
  summary+=("$line")
  echo "  $line"
done

echo
echo "fuzz summary (${FUZZ_SECONDS}s per target):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
