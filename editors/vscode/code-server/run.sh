#!/usr/bin/env bash
# Optional, outside CI: installs code-server 4.100 (npm) and Debian's chromium,
# installs the packaged .vsix into it, serves a small workspace on 127.0.0.1
# and checks in headless Chromium (playwright-core) that the hints, code lenses
# and status bar appear. Pass --screenshot to refresh editors/vscode/screenshot.png.
#
# code-server's npm install downloads ripgrep from GitHub and prebuilt native
# modules, neither reachable here: this script installs with --ignore-scripts,
# builds the native modules itself and uses Debian's rg.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vscode="$(cd "$here/.." && pwd)"
cd "$here"

need=()
for pkg in build-essential pkg-config python3 libkrb5-dev ripgrep chromium; do
  dpkg -s "$pkg" > /dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "--- apt-get install ${need[*]}"
  apt-get update -q && apt-get install -y -q "${need[@]}"
fi

code="$here/node_modules/code-server"
marker="$code/.iamlens-built"
if [ ! -f "$marker" ]; then
  echo "--- npm ci (code-server, playwright-core), native modules"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  export npm_config_yes=true
  npm rebuild argon2 --loglevel=error
  (
    cd "$code/lib/vscode"
    npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
    npm rebuild @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty --loglevel=error
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sf code-linux.sh code-server)
    (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
    cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error
  )
  touch "$marker"
fi

vsix="$(ls "$vscode"/iamlens-*.vsix 2>/dev/null | head -1 || true)"
if [ -z "$vsix" ]; then
  echo "--- no .vsix yet: running editors/vscode/test.sh"
  "$vscode/test.sh"
  vsix="$(ls "$vscode"/iamlens-*.vsix | head -1)"
fi

tmp="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/ws" "$tmp/user/User" "$tmp/ext" "$tmp/config"
cat > "$tmp/ws/app.py" <<'PY'
import boto3

s3 = boto3.client("s3")


def load(key):
    return s3.get_object(Bucket="reports", Key=key)["Body"].read()


def save(key, body):
    s3.put_object(Bucket="reports", Key=key, Body=body)
PY
cat > "$tmp/user/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "editor.inlayHints.enabled": "on",
  "telemetry.telemetryLevel": "off",
  "iamlens.region": "us-east-1",
  "iamlens.account": "123456789012"
}
JSON
export XDG_CONFIG_HOME="$tmp/config"
echo "--- install $(basename "$vsix") into code-server"
node "$code/out/node/entry.js" --user-data-dir "$tmp/user" --extensions-dir "$tmp/ext" --install-extension "$vsix"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
node "$code/out/node/entry.js" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
  --user-data-dir "$tmp/user" --extensions-dir "$tmp/ext" "$tmp/ws" > "$tmp/code-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.2
done
shot=""
if [ "${1:-}" = "--screenshot" ]; then shot="$vscode/screenshot.png"; fi
echo "--- check in headless Chromium"
node "$here/check.mjs" "http://127.0.0.1:$port/?folder=$tmp/ws" app.py $shot
