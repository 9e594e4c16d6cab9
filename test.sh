#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the browser tests need (Debian's Chromium), then
# `dotnet test` for the whole solution. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")"

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing Chromium for the browser tests (apt-get install chromium)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing. Install it (Debian/Ubuntu: sudo apt-get install -y chromium)" >&2
    echo "or point CHROMIUM_PATH at a Chromium or Chrome binary, then run ./test.sh again." >&2
    exit 1
  fi
fi

# The official @moltin/sdk, 36.x and 3.x (pinned in tests/js/package.json), for the API compatibility tests.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js and npm are needed for the @moltin/sdk compatibility test: install them (Debian: apt-get install -y nodejs npm)." >&2
  exit 1
fi
if [ ! -d tests/js/node_modules/@moltin/sdk ] || [ ! -d tests/js/node_modules/moltin-sdk-3 ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
fi

dotnet test CommerceManager.sln "$@"
