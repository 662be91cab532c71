#!/usr/bin/env bash
# The whole test suite, from a clean clone: system packages, npm packages, type check, lint,
# format check, then every test (unit, process, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh --with-test-tools
npm ci --no-audit --no-fund --loglevel=error
npm run check
