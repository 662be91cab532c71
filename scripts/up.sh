#!/usr/bin/env bash
# Brings VistterStream up on a fresh Debian 12 / Raspberry Pi OS machine with Node ≥ 20:
# installs what is missing (ffmpeg, npm packages), builds the web UI, then starts the appliance.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: the registry here lacks some platforms' optional canvas binaries,
  # which npm ci refuses to leave out of the lock file; install still follows the lock file.
  npm install --no-audit --no-fund --loglevel=error
fi
# The control room (web UI) is built once, and again whenever its sources are newer than the build.
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/vite.config.ts src/domain src/timeline -newer web/dist/index.html -print -quit)" ]; then
  echo "Building the control room (web UI)…"
  npm run --silent build:web
fi
exec node_modules/.bin/tsx src/main.ts
