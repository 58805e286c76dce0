#!/usr/bin/env bash
# The main job: install what is missing, build, check and draw the shipped process files, then
# run the engine on them with an embedded SQLite store (termijn.db) until Ctrl-C.
#   tools/quickstart.sh          # serve on real time
#   tools/quickstart.sh --once   # fire what is due and stop
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build

echo
echo "== termijn check stdlib processes"
build/termijn check stdlib processes
mkdir -p build/diagrams
for f in processes/*.wth; do
  name=$(basename "$f" .wth)
  build/termijn graph "$f" --format svg -o "build/diagrams/$name.svg"
  echo "drew build/diagrams/$name.svg"
done

echo
echo "== termijn serve --db termijn.db --processes processes $*"
echo "   Ctrl-C stops it. While it runs, 'build/termijn cases|tasks|timers|audit --db termijn.db' read along;"
echo "   commands (start, complete, signal) go to the database when no server holds it."
exec build/termijn serve --db termijn.db --processes processes "$@"
