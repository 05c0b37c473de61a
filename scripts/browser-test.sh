#!/usr/bin/env bash
# Run the Playwright browser tests in tests/browser (*.test.mjs, Node's
# built-in test runner) against a debug build of the crm binary, using
# Debian's Chromium (installed on demand by scripts/ensure-chromium.sh).
#
#   scripts/browser-test.sh [test files...]
#
# Screenshots are written to tests/browser/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/crm-target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR" ;; esac

scripts/ensure-chromium.sh

cargo build -p crm --bin crm

cd tests/browser
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund
else
    npm install --no-audit --no-fund
fi
mkdir -p screenshots

if [ $# -eq 0 ] && [ -z "$(find . -path ./node_modules -prune -o -name '*.test.mjs' -print -quit)" ]; then
    printf '\n!!! WARNING: no *.test.mjs files in tests/browser -- no browser tests ran\n\n' >&2
fi

# Test files may be named from the repository root (tests/browser/x.test.mjs) or from here.
args=()
for a in "$@"; do args+=("${a#tests/browser/}"); done
CRM_BIN="$CARGO_TARGET_DIR/debug/crm" node --test "${args[@]}"
