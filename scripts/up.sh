#!/usr/bin/env bash
# Brings VistterStream up on a fresh Debian 12 / Raspberry Pi OS machine with Node ≥ 20:
# installs what is missing (ffmpeg, npm packages), builds the appliance (dist/) and the web UI, then
# starts the compiled appliance with plain node.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install (not ci) keeps what is already installed; it follows the lock file and leaves it
  # unchanged (test/e2e/packaging/compiled-runtime.test.ts). Dev packages too: they build.
  npm install --no-audit --no-fund --loglevel=error
fi
# The appliance is compiled once, and again whenever a source or the build's settings are newer.
if [ ! -f dist/main.js ] || [ -n "$(find src scripts/build.ts tsconfig.json tsconfig.build.json package-lock.json -newer dist/main.js -print -quit)" ]; then
  echo "Building the appliance…"
  npm run --silent build
fi
# The control room (web UI) is built once, and again whenever its sources are newer than the build.
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/vite.config.ts src/domain src/timeline -newer web/dist/index.html -print -quit)" ]; then
  echo "Building the control room (web UI)…"
  npm run --silent build:web
fi
exec node dist/main.js
