#!/usr/bin/env bash
# Packages the VS Code extension with vsce (npm's @vscode/vsce) and checks that the .vsix holds
# what VS Code needs to install and start it: the manifest, the client, the three grammars, the
# language configurations and the language client library it requires.
set -euo pipefail
extension=$1
out=$2
cd "$extension"
if [ ! -d node_modules ]; then
  echo "vsix: $extension/node_modules is missing: run tools/install-deps.sh --test (npm ci)" >&2
  exit 1
fi
rm -f "$out"
npx --no-install vsce package --allow-missing-repository --skip-license --out "$out" >/dev/null
listing=$(unzip -l "$out")
for entry in extension/package.json extension/extension.js extension/README.md \
             extension/syntaxes/termijn.tmLanguage.json extension/syntaxes/termijn-scenario.tmLanguage.json \
             extension/syntaxes/termijn-simulation.tmLanguage.json extension/language-configuration.json \
             extension/language-configuration-lines.json extension/node_modules/vscode-languageclient/node.js \
             extension.vsixmanifest; do
  if ! grep -q " $entry\$" <<<"$listing"; then
    echo "vsix: $out lacks $entry" >&2
    exit 1
  fi
done
# The tests and the packaging tools stay out of what a coordinator installs.
if grep -q "extension/test/\|node_modules/@vscode/vsce/" <<<"$listing"; then
  echo "vsix: $out holds test or build files" >&2
  exit 1
fi
echo "vsix: $out packaged, $(wc -l <<<"$listing") lines of listing"
