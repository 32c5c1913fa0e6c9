# Thin front for CMake. `make test` is the one command CI runs.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all build test run bench fuzz test-asan test-tsan clean deps

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test:
	@scripts/test.sh

# Every libFuzzer target of fuzz/ for FUZZ_SECONDS (default 60) each, built with clang into
# build-fuzz (scripts/fuzz.sh).
fuzz:
	@scripts/fuzz.sh

# Sanitizer runs. Every instrumented process, the service binaries the HTTP tests start included,
# writes its reports into <build>/sanitizer-reports/, so a report fails the target even when the
# process that wrote it was a child no test checked.
sanitizer_verdict = if [ -n "$$(ls -A $(1))" ]; then \
	  echo "sanitizer reports ($(1)):"; cat $(1)/*; exit 1; fi; exit $$status

# The whole suite under AddressSanitizer (with LeakSanitizer) + UndefinedBehaviorSanitizer.
ASAN_REPORTS = $(CURDIR)/build-asan/sanitizer-reports
test-asan:
	@rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	@status=0; BUILD=build-asan CMAKE_FLAGS="-DATS_SANITIZE=ON -DATS_BUILD_BENCH=OFF" \
	  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1:log_path=$(ASAN_REPORTS)/asan \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(ASAN_REPORTS)/ubsan \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/fuzz/lsan.supp:print_suppressions=0 \
	  scripts/test.sh || status=$$?; \
	  $(call sanitizer_verdict,$(ASAN_REPORTS))

# The tests that run threads against each other under ThreadSanitizer: the HTTP server (keep-alive,
# pipelining, limits, shutdown), concurrent store writers, caches used from many threads, and
# the crash, outage and shutdown tests of the service.
TSAN_REPORTS = $(CURDIR)/build-tsan/sanitizer-reports
TSAN_TESTS = Concurren|Coalescer|HttpServer|Shutdown|Sigterm|Crash|Outage
test-tsan:
	@rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	@status=0; BUILD=build-tsan CMAKE_FLAGS="-DATS_TSAN=ON -DATS_BUILD_BENCH=OFF" \
	  CTEST_ARGS="-R $(TSAN_TESTS)" \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$(TSAN_REPORTS)/tsan \
	  scripts/test.sh || status=$$?; \
	  $(call sanitizer_verdict,$(TSAN_REPORTS))

# Release build in build-bench (no tests), then every micro benchmark and the end-to-end
# benchmark on PostgreSQL and SQLite, each printing its table (bench/run.sh, bench/e2e.sh).
# DURATION (seconds per scenario), SCENARIOS, BACKENDS and BENCH_* (dataset size) tune it.
BENCH_BUILD ?= build-bench
bench: deps
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DATS_BUILD_TESTS=OFF -DATS_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS)
	@bench/run.sh $(BENCH_BUILD)

run: build
	@$(BUILD)/agent-trace-service serve

clean:
	rm -rf build build-*
