#!/usr/bin/env bash
# A Release build that GCC optimises with a profile of termijn at work (profile-guided
# optimisation): built once with counters, trained, built again from what the counters saw.
#   tools/build-pgo.sh [build dir=build-pgo]
# The training is what the shipped programs do: the three shipped simulations (a few
# replications each, their sweeps included) and a short run of the durable engine on an SQLite
# file. Code the training does not reach is optimised as in a plain Release build
# (-fprofile-partial-training), not for size. Both builds use the same directory, so that each
# object finds its counters (.gcda files) beside it. Run it again after an edit: it starts from
# scratch (rebuilding the folder by hand after an edit stops at GCC's coverage mismatch error).
# The plain build it is compared with is `cmake -B build-rel -DCMAKE_BUILD_TYPE=Release
# -DCMAKE_UNITY_BUILD=ON` (docs/simulation.md, "Limits").
set -euo pipefail
# The build folder, as the caller named it (relative to where they are), made absolute first.
dir=$(realpath -m -- "${1:-$(dirname "$0")/../build-pgo}")
cd "$(dirname "$0")/.."
src=$(pwd)
# The folder is emptied first: only a build folder (CMake's cache in it) or a new one, and never
# the sources or a folder that holds them.
if [ -e "$dir" ] && [ ! -e "$dir/CMakeCache.txt" ]; then
  echo "build-pgo: '$dir' is not a build folder" >&2
  exit 2
fi
case "$src/" in
  "$dir"/*)
    echo "build-pgo: '$dir' holds the sources" >&2
    exit 2
    ;;
esac

tools/install-deps.sh
# -Wno-restrict: GCC 12 warns, wrongly, of overlapping copies in std::string's operator+ once
# the profile makes it inline them (a false positive of GCC 12 at -O3).
configure() {
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON -DTERMIJN_BUILD_TESTS=OFF \
    -DCMAKE_CXX_FLAGS="$1 -Wno-restrict" -DCMAKE_EXE_LINKER_FLAGS="$2" -DCMAKE_SHARED_LINKER_FLAGS="$2" >/dev/null
}
programs=(termijn bench_simulate bench_engine bench_api)

# 1. With counters. The simulation and the engine count from several threads at once: atomically.
rm -rf -- "$dir"
configure "-fprofile-generate -fprofile-update=atomic" "-fprofile-generate"
cmake --build "$dir" --target "${programs[@]}"

# 2. Training.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for sim in examples/simulation/*.sim; do
  "$dir/termijn" simulate "$sim" --replications 2 --sweep-replications 2 --period 120 --warmup 30 \
    --report "$work/report.html" --csv "$work/figures.csv" >/dev/null
done
"$dir/bench/bench_simulate" 2 >/dev/null
"$dir/bench/bench_engine" lifecycle_pipelined 3000 >/dev/null  # its SQLite files in a temporary folder

# 3. Again, from the counters. Every object is compiled again (the flags changed).
configure "-fprofile-use -fprofile-partial-training -Wno-missing-profile" ""
cmake --build "$dir" --target "${programs[@]}"
echo "build-pgo: $dir/termijn, $dir/bench/ (trained on the shipped simulations and the durable engine)"
