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

run: build
	@$(BUILD)/agent-trace-service serve

clean:
	rm -rf build build-*
