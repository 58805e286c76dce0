#!/usr/bin/env bash
# Installs the Debian 12 packages termijn needs to build, test and draw. Idempotent: installs
# only what is missing, so it is cheap to run again. Needs root (or sudo).
# `--test` adds what only the tests need: headless Chromium (and fonts) for the web view test.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  antlr4 libantlr4-runtime-dev default-jre-headless
  libfmt-dev libcli11-dev nlohmann-json3-dev libhowardhinnant-date-dev
  libsqlite3-dev libboost-dev
  libgtest-dev libgmock-dev
  graphviz tzdata
)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium fonts-dejavu-core)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
