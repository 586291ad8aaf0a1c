#!/usr/bin/env bash
# The VS Code extension's suite: installs its pinned npm packages (npm ci),
# type-checks, runs the unit tests (node's test runner, stubbed `vscode`),
# bundles with esbuild, packages a platform .vsix with the server binary and
# verifies the package. Called by tests/run; runnable on its own.
#
# The server binary is $IAMLENS_VSIX_SERVER, else target/release/iamlens when
# present, else target/debug/iamlens (build it first: cargo build -p iamlens).
# Release pipelines package other platforms from their own binaries with
# IAMLENS_VSIX_TARGETS="darwin-arm64=/path/iamlens win32-x64=/path/iamlens.exe ...".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=linux-x64 ;;
  Linux-aarch64) target=linux-arm64 ;;
  Darwin-arm64) target=darwin-arm64 ;;
  Darwin-x86_64) target=darwin-x64 ;;
  *) echo "editors/vscode/test.sh: no VS Code target for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

server="${IAMLENS_VSIX_SERVER:-}"
if [ -z "$server" ]; then
  if [ -x "$root/target/release/iamlens" ]; then server="$root/target/release/iamlens"
  else server="$root/target/debug/iamlens"; fi
fi
if [ ! -x "$server" ]; then
  echo "editors/vscode/test.sh: no iamlens binary at $server to bundle: run \`cargo build -p iamlens\` first" >&2
  exit 1
fi

echo "--- npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "--- type-check and unit tests"
npx tsc -p .
IAMLENS_BIN="$server" node --test test/
echo "--- bundle"
npm run --silent bundle
package() {
  local target="$1" binary="$2" exe=iamlens
  case "$target" in win32-*) exe=iamlens.exe ;; esac
  echo "--- package ($target, server $binary)"
  rm -rf server && mkdir server
  cp "$binary" "server/$exe"
  chmod 755 "server/$exe"
  local vsix="$here/iamlens-$target.vsix"
  rm -f "$vsix"
  npx vsce package --no-dependencies --allow-missing-repository --skip-license --target "$target" --out "$vsix"
  node scripts/verify-vsix.js "$vsix" "$binary" "$target"
}

package "$target" "$server"
for pair in ${IAMLENS_VSIX_TARGETS:-}; do
  package "${pair%%=*}" "${pair#*=}"
done
