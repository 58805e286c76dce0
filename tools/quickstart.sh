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

# First run: one API token per role of the shipped processes, for trying the API and the web page.
# Real deployments issue their own (build/termijn token add --name ... --org ... --role ...).
# Tokens are only for roles a deployed process names, so the processes are deployed first.
if [ -z "$(build/termijn token list --db termijn.db)" ]; then
  build/termijn deploy --db termijn.db processes >/dev/null
  umask 077
  : > termijn-tokens.txt
  for role in beheer politie hovj burgemeester veilig_thuis hulpverlening gemeente; do
    echo "$role $(build/termijn token add --db termijn.db --name "demo-$role" --org "Demoregio" --role "$role")" \
      >> termijn-tokens.txt
  done
  echo
  echo "== issued demo API tokens, one per role: termijn-tokens.txt (readable only by you)"
fi

echo
echo "== termijn serve --db termijn.db --processes processes --log-format text $*"
echo "   Ctrl-C stops it. The HTTP API and the web page listen on http://127.0.0.1:8080/ ;"
echo "   sign in there with a token from termijn-tokens.txt. 'build/termijn cases|tasks|timers|audit"
echo "   --db termijn.db' read along; commands go through the API while the server holds the database."
exec build/termijn serve --db termijn.db --processes processes --log-format text "$@"
