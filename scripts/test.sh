#!/usr/bin/env bash
# The whole test suite, from a clean clone: system packages, npm packages, type check, lint,
# format check, then every test (unit, process, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh --with-test-tools
# npm install keeps what a previous run installed; it follows the lock file and leaves it unchanged
# (npm ci works as well: test/e2e/packaging/compiled-runtime.test.ts runs it).
npm install --no-audit --no-fund --loglevel=error
npm run check
