#!/usr/bin/env bash
# The main job: install what is missing, build, then check every shipped process file and
# draw the national baseline. (Later: start the engine on the shipped processes.)
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
