#!/usr/bin/env bash
# A host built against an installed termijn, as a host's project does it: `cmake --install` into a
# scratch prefix writes nothing outside it (the unit and /etc/termijn are the .deb's), examples/embedding builds on its own with
# find_package(termijn) and runs a case through the installed processes, and pkg-config's flags
# build a program against the same library. The installed library finds the installed stdlib
# itself, and without it fails rather than reading the source tree.
#   tests/packaging/embedding_out_of_tree.sh BUILD_DIR SOURCE_DIR CMAKE
set -euo pipefail
build=$1
source_dir=$2
cmake=$3
source "$(dirname "$0")/../cli/harness.sh"
# Under DESTDIR, so a file given an absolute destination (the unit, /etc) would show beside the
# prefix instead of landing in this machine's /etc.
prefix=$work/root/opt/termijn

DESTDIR=$work/root "$cmake" --install "$build" --prefix /opt/termijn > "$work/install.log" 2>&1 \
  || fail "cmake --install: $(cat "$work/install.log")"
outside=$(cd "$work/root" && find . -mindepth 1 -maxdepth 2 -not -path ./opt -not -path ./opt/termijn)
[ -z "$outside" ] || fail "cmake --install wrote outside its prefix: $outside"
[ -e "$prefix/lib/libtermijn.so.0" ] || fail "no libtermijn.so.0: $(ls "$prefix/lib")"
# Only termijn:: is exported, not the generated parser inside.
nm -D --defined-only "$prefix/lib/libtermijn.so.0" | has WthParser && fail "libtermijn.so.0 exports the ANTLR parser"

# The example host, out of tree: built with the installed package, run on its processes.
"$cmake" -S "$source_dir/examples/embedding" -B "$work/host" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  > "$work/configure.log" 2>&1 || fail "configuring the host: $(cat "$work/configure.log")"
"$cmake" --build "$work/host" > "$work/build.log" 2>&1 || fail "building the host: $(cat "$work/build.log")"
ldd "$work/host/example_host" | has "libtermijn.so.0 => $prefix/lib/" \
  || fail "the host does not load the installed library: $(ldd "$work/host/example_host")"
out=$("$work/host/example_host" "$work/host.db" 2>&1) || fail "the host failed: $out"
echo "$out" | has -E "^audit log: [0-9]+ entries, intact$" || fail "the host's audit log: $out"
echo "$out" | grep "^audit log"

# pkg-config: a program built with its flags alone finds the library, and the library the stdlib.
cat > "$work/tiny.cc" <<'CC'
#include <iostream>

#include "engine/api/engine.h"
#include "engine/api/real_time.h"

int main() {
  for (const auto& dir : termijn::default_stdlib_dirs()) std::cout << "stdlib " << dir.string() << "\n";
  termijn::VirtualClock clock(*termijn::parse_instant("2026-10-20 14:00"));
  auto engine = termijn::Engine::open(termijn::EngineOptions{"tiny.db", &clock, termijn::default_stdlib_dirs()});
  if (!engine.is_ok()) return 1;
  termijn::DeployResult deployed = engine.value()->deploy({TINY_PROCESS});
  std::cout << (deployed.ok() ? "deployed\n" : termijn::render(deployed.diagnostics));
  return deployed.ok() ? 0 : 1;
}
CC
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs termijn) || fail "pkg-config --cflags --libs termijn"
g++ -std=c++20 -DTINY_PROCESS="\"$prefix/share/termijn/processes/landelijk.wth\"" "$work/tiny.cc" -o "$work/tiny" \
  $flags -Wl,-rpath,"$(pkg-config --variable=libdir termijn)" > "$work/tiny.log" 2>&1 \
  || fail "building with pkg-config's flags ($flags): $(cat "$work/tiny.log")"
out=$(cd "$work" && ./tiny 2>&1) || fail "the pkg-config program: $out"
echo "$out" | has -x "stdlib $prefix/share/termijn/stdlib" || fail "the library did not find the installed stdlib: $out"

# Without the installed stdlib the library finds none: it never falls back to the sources.
mv "$prefix/share/termijn/stdlib" "$prefix/share/termijn/stdlib.away"
out=$(cd "$work" && ./tiny 2>&1) && fail "deployed without a stdlib: $out"
echo "$out" | has "$source_dir" && fail "the installed library read the source tree: $out"
echo "embedding out of tree: ok"
