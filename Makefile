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
