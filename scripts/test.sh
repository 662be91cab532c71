#!/usr/bin/env bash
# The whole test suite, from a clean clone: system packages, npm packages, type check, lint,
# format check, then every test (unit, process, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh --with-test-tools
# npm install, not npm ci: the registry here lacks some platforms' optional canvas binaries,
# which npm ci refuses to leave out of the lock file; install still follows the lock file.
npm install --no-audit --no-fund --loglevel=error
npm run check
