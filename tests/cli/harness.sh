# What every command-line test script shares; sourced after `set -euo pipefail`. Gives a scratch
# folder $work (removed on exit), fail MESSAGE, and has (grep that reads all its input: `grep -q`
# stops at the first match, and under `pipefail` the writer then dies of SIGPIPE and fails the
# pipeline, as seen with the slower sanitizer build).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
has() { grep "$@" > /dev/null; }
