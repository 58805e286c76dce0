#!/usr/bin/env bash
# Installs the Debian 12 packages termijn needs to build, test and draw. Idempotent: installs
# only what is missing, so it is cheap to run again. Needs root (or sudo).
# `--test` adds what only the tests need: headless Chromium (and fonts) for the web view test,
# Prometheus's Python client, whose parser reads /metrics in the observability test, the openssl
# tool, which makes the TLS tests' certificates, and curl and systemd (systemd-analyze) for the
# .deb's test. It also adds Node.js and unzip, and installs the VS Code extension's npm packages
# (editors/vscode, `npm ci`), with which the tests package the extension and drive `termijn lsp`
# as the editor does. `file` is CPack's: `cpack -G DEB` finds the programs to hand to dpkg-shlibdeps with it.
# `--fuzz` adds what tools/fuzz.sh needs: clang 16 with libFuzzer and the sanitizer runtimes, and
# llvm-symbolizer for its stacks (clang 14 cannot capture structured bindings in lambdas, which the
# engine's C++20 code does).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  antlr4 libantlr4-runtime-dev default-jre-headless
  libfmt-dev libcli11-dev nlohmann-json3-dev libhowardhinnant-date-dev
  libsqlite3-dev libboost-dev libmimalloc-dev libssl-dev ca-certificates
  libgtest-dev libgmock-dev
  graphviz tzdata file gettext
)
for flag in "$@"; do
  case "$flag" in
    --test) packages+=(chromium fonts-dejavu-core openssl python3-prometheus-client curl systemd nodejs unzip) ;;
    --fuzz) packages+=(clang-16 libclang-rt-16-dev llvm-16) ;;
    *) echo "install-deps: unknown flag '$flag' (--test, --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The editor extension's packages: Debian's nodejs comes without npm (a Node.js from elsewhere
# may bring its own), and `npm ci` runs again only when package-lock.json changed.
if [[ " $* " == *" --test "* ]]; then
  if ! command -v npm >/dev/null; then
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends npm
  fi
  extension="$(dirname "$0")/../editors/vscode"
  if [ ! -f "$extension/node_modules/.package-lock.json" ] || [ "$extension/package-lock.json" -nt "$extension/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in editors/vscode"
    (cd "$extension" && npm ci --no-audit --no-fund --ignore-scripts)
  fi
fi
