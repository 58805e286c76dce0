#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz/ (docs/fuzzing.md), building them first in build-fuzz/
# with clang 16 (FUZZ_CC / FUZZ_CXX), ASan and UBSan; tools/install-deps.sh --fuzz installs it.
#
#   tools/fuzz.sh TARGET [SECONDS]        one target (default 60 s), e.g. tools/fuzz.sh wth_fuzzer 1800
#   tools/fuzz.sh all [SECONDS]           every target, SECONDS each, FUZZ_JOBS (2) at a time (what .ci/run does)
#   tools/fuzz.sh --keep-going TARGET...  go on past crashes (libFuzzer -fork=1 -ignore_crashes=1)
#   tools/fuzz.sh list                    the targets
#
# Each run fuzzes build-fuzz/fuzz/corpus/TARGET (kept between runs) from the seeds named in
# tests/fuzz/targets.txt (copied to build-fuzz/fuzz/seeds/TARGET, never into the repository), with
# the dictionary make_dict.sh writes. A crash, leak or timeout is saved in build-fuzz/findings/TARGET/
# and minimised beside it (FILE.min, MINIMIZE_SECONDS, default 60; 0 skips). It prints one line per
# target and a summary, and exits 1 when any target found something (2 on a usage or build error).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
minimize_seconds=${MINIMIZE_SECONDS:-60}

keep_going=0
if [ "${1:-}" = "--keep-going" ]; then keep_going=1; shift; fi
what=${1:-}
seconds=${2:-60}

targets_file=tests/fuzz/targets.txt
all_targets=$(awk '/^[a-z]/ {print $1}' "$targets_file")
field() { awk -v t="$1" -v f="$2" '$1 == t {print $f}' "$targets_file"; }
seed_specs() { awk -v t="$1" '$1 == t {for (i = 5; i <= NF; i++) print $i}' "$targets_file"; }

case "$what" in
  ""|-h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  list) echo "$all_targets"; exit 0 ;;
  all) targets=$all_targets ;;
  *)
    if ! grep -qx "$what" <<<"$all_targets"; then
      echo "fuzz.sh: no target '$what' (tools/fuzz.sh list)" >&2
      exit 2
    fi
    targets=$what ;;
esac
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: SECONDS must be a positive number, not '$seconds'" >&2
  exit 2
fi

# ---- build ----
if [ ! -f "$build/build.ninja" ]; then
  CC=${FUZZ_CC:-clang-16} CXX=${FUZZ_CXX:-clang++-16} cmake -S . -B "$build" -G Ninja -DTERMIJN_FUZZ=ON \
    -DTERMIJN_BUILD_TESTS=OFF -DTERMIJN_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_UNITY_BUILD="${TERMIJN_UNITY_BUILD:-OFF}" >/dev/null || exit 2
fi
# shellcheck disable=SC2086
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target $targets || { echo "fuzz.sh: the build failed" >&2; exit 2; }
tests/fuzz/make_dict.sh "$build/fuzz/dicts" || exit 2

# What a finding is: replays it alone and prints the error and the first frames in termijn's code.
classify() {
  local out
  mkdir -p "$build/fuzz/tmp/$1"
  out=$(TMPDIR=$build/fuzz/tmp/$1 timeout 120 "$build/fuzz/$1" -timeout=10 "$2" 2>&1)
  grep -m1 -E 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error|fuzz invariant broken|what\(\)|ERROR: libFuzzer: (timeout|out-of-memory)' <<<"$out" ||
    echo "(did not crash when replayed alone: it needs the state earlier inputs left)"
  grep -E '^ +#[0-9]+ .* in (termijn|LLVMFuzzer)' <<<"$out" | grep -v 'fuzz::fail' | head -3 |
    sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //; s/\(std::__cxx11::basic_string.*\)//' | cut -c1-160
}

# ---- run ----
symbolizer=$(command -v llvm-symbolizer-16 || command -v /usr/lib/llvm-16/bin/llvm-symbolizer || command -v llvm-symbolizer || true)
sym=${symbolizer:+:external_symbolizer_path=$symbolizer}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1$sym}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/fuzz/ubsan.supp$sym}
# One target's run, in the background: what it says goes to $results/TARGET.out, its summary line
# to .line, its executions to .runs, and .failed exists when it found something.
fuzz_target() {
  local target=$1
  local max_len dict corpus seeds findings tmp log args before status runs cov new found line f
  max_len=$(field "$target" 3)
  dict=$(field "$target" 4)
  corpus=$build/fuzz/corpus/$target
  seeds=$build/fuzz/seeds/$target
  findings=$build/findings/$target
  tmp=$build/fuzz/tmp/$target
  log=$build/fuzz/logs/$target.log
  rm -rf "$seeds" "$tmp"
  mkdir -p "$corpus" "$seeds" "$findings" "$tmp" "$(dirname "$log")"
  # Seeds: folder[:suffix], copied flat (the path folded into the name, so names stay unique).
  while read -r spec; do
    [ -n "$spec" ] || continue
    dir=${spec%%:*}
    suffix=""
    [ "$dir" != "$spec" ] && suffix=${spec#*:}
    find "$dir" -type f -name "*$suffix" ! -name '.*' ! -name 'README*' | while read -r f; do
      cp "$f" "$seeds/$(echo "$f" | tr '/' '_')"
    done
  done < <(seed_specs "$target")

  args=(-max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -max_total_time="$seconds"
        -print_final_stats=1 -artifact_prefix="$findings/")
  [ "$dict" != "-" ] && args+=(-dict="$build/fuzz/dicts/$dict.dict")
  if [ $keep_going -eq 1 ]; then args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi

  before=$(ls "$findings" | grep -v '\.min$' | sort)
  echo "== $target: ${seconds}s, max_len $max_len, dictionary $dict, log $log"
  TMPDIR=$tmp "$build/fuzz/$target" "${args[@]}" "$corpus" "$seeds" >"$log" 2>&1
  status=$?
  rm -rf "$tmp"

  # Figures: executions from the final stats (or the last status line in fork mode), coverage from
  # the last status line.
  runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
  if [ -z "$runs" ]; then runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#'); fi
  cov=$(grep -oE ' cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  new=$(comm -13 <(echo "$before") <(ls "$findings" | grep -v '\.min$' | sort) | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
  found=$(grep -c . <<<"$new")
  [ -z "$new" ] && found=0
  echo "${runs:-0}" >"$results/$target.runs"

  for f in $new; do
    echo "   found: $findings/$f"
    classify "$target" "$findings/$f" | sed 's/^/     /'
    if [ "$minimize_seconds" -gt 0 ] && [[ "$f" == crash-* || "$f" == leak-* ]]; then
      mkdir -p "$tmp"
      TMPDIR=$tmp "$build/fuzz/$target" -minimize_crash=1 -max_total_time="$minimize_seconds" \
        -runs=100000 -timeout=10 -exact_artifact_path="$findings/$f.min" "$findings/$f" >"$log.minimize" 2>&1
      rm -rf "$tmp"
      [ -f "$findings/$f.min" ] && echo "   minimised: $findings/$f.min ($(wc -c <"$findings/$f.min") bytes)"
    fi
  done
  line="$target: ${runs:-0} runs, cov ${cov:-0}, $found crashes"
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    touch "$results/$target.failed"
    [ "$status" -ne 0 ] && [ "$found" -eq 0 ] && line="$line (fuzzer exited $status; see $log)"
  fi
  echo "$line"
  echo "$line" >"$results/$target.line"
}

# FUZZ_JOBS targets at a time (default 2, one per core here): each libFuzzer process is single
# threaded, so `all 60` takes half the time with the same minute per target.
jobs=${FUZZ_JOBS:-2}
results=$build/fuzz/results
rm -rf "$results"
mkdir -p "$results"
running=0
for target in $targets; do
  fuzz_target "$target" >"$results/$target.out" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
summary=()
failed=0
total_runs=0
for target in $targets; do
  cat "$results/$target.out"
  summary+=("$(cat "$results/$target.line" 2>/dev/null || echo "$target: did not finish")")
  total_runs=$((total_runs + $(cat "$results/$target.runs" 2>/dev/null || echo 0)))
  [ -f "$results/$target.failed" ] || [ ! -f "$results/$target.line" ] && failed=$((failed + 1))
done

echo
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
n=$(wc -w <<<"$targets")
echo "fuzz: $n targets, $total_runs runs, $failed with findings"
[ $failed -eq 0 ]
