#!/usr/bin/env bash
# Builds and runs every test. `tools/test.sh --sanitize` does the same in a separate
# AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/); `tools/test.sh --threads`
# builds the programs whose tests run threads (the engine's writer, the HTTP server, the crash
# worker) with ThreadSanitizer (build-tsan/) and runs those tests (ctest label `threads`).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
flags=()
targets=()
ctest_args=()
case "${1:-}" in
  --sanitize)
    build_dir=build-asan
    flags+=(-DTERMIJN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DTERMIJN_BUILD_BENCH=OFF)
    ;;
  --threads)
    build_dir=build-tsan
    flags+=(-DTERMIJN_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTERMIJN_BUILD_BENCH=OFF)
    targets+=(--target termijn termijn_unit_tests termijn_api_tests termijn_crash_tests crash_worker)
    ctest_args+=(-L threads)
    # A report is a failure, and the second stack of a race is worth its memory.
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
    ;;
  "") ;;
  *)
    echo "usage: tools/test.sh [--sanitize | --threads]" >&2
    exit 2
    ;;
esac

# TERMIJN_UNITY_BUILD=ON compiles a target's sources a few at a time as one file: a clean build
# takes about half the time, an edit recompiles its whole batch. CI (.ci/run) builds clean, so it
# sets it; incremental work does better without.
flags+=(-DCMAKE_UNITY_BUILD="${TERMIJN_UNITY_BUILD:-OFF}")

tools/install-deps.sh --test
cmake -S . -B "$build_dir" -G Ninja -DTERMIJN_WERROR=ON "${flags[@]}" >/dev/null
cmake --build "$build_dir" "${targets[@]}"
ctest --test-dir "$build_dir" --output-on-failure -j2 "${ctest_args[@]}"
