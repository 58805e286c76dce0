#!/usr/bin/env bash
# Builds and runs every test. `tools/test.sh --sanitize` does the same in a separate
# AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
flags=()
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  flags+=(-DTERMIJN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DTERMIJN_BUILD_BENCH=OFF)
fi

tools/install-deps.sh --test
cmake -S . -B "$build_dir" -G Ninja -DTERMIJN_WERROR=ON "${flags[@]}" >/dev/null
cmake --build "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure -j2
