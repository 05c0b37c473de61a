#!/usr/bin/env bash
# Run the whole Rust test suite: unit, integration and doc tests.
#
#   scripts/test.sh [extra cargo test args...]
#
# The tests always run on SQLite; when CRM_TEST_DATABASE_URL is set they also
# run on PostgreSQL. If it is not set, this script starts a throwaway
# PostgreSQL 15 cluster (scripts/pg-test-cluster.sh) and stops it at the end.
# If that fails the tests run on SQLite only, with a warning -- except under
# CI=true, where a missing PostgreSQL is an error.
# CRM_TEST_SKIP_PG=1 skips the PostgreSQL start (used by .ci/run after it has
# already tried).
#
# Builds go to CARGO_TARGET_DIR (default /var/tmp/crm-target, shared across clones).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/crm-target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR" ;; esac

warn() { printf '\n!!! %s\n\n' "$*" >&2; }

PG_STATE_FILE=/tmp/crm-pg-test.dir
started_pg=
stop_pg() {
    if [ -n "$started_pg" ]; then
        scripts/pg-test-cluster.sh stop "$started_pg" || true
    fi
}
trap stop_pg EXIT

if [ -z "${CRM_TEST_DATABASE_URL:-}" ] && [ "${CRM_TEST_SKIP_PG:-}" != 1 ]; then
    before=$(cat "$PG_STATE_FILE" 2>/dev/null || true)
    # Not `eval "$(...)"`: that would swallow the script's exit status.
    if pg_env=$(scripts/pg-test-cluster.sh) && [ -n "$pg_env" ]; then
        eval "$pg_env"
        after=$(cat "$PG_STATE_FILE" 2>/dev/null || true)
        if [ -n "$after" ] && [ "$after" != "$before" ]; then
            started_pg=$after
        fi
    elif [ "${CI:-}" = true ]; then
        echo "test.sh: ERROR: could not start PostgreSQL and CI=true; refusing to test on SQLite only" >&2
        exit 1
    else
        warn "WARNING: could not start PostgreSQL -- running the tests on SQLite ONLY (PostgreSQL is NOT tested)"
    fi
fi

if [ -n "${CRM_TEST_DATABASE_URL:-}" ]; then
    echo "test.sh: testing on SQLite and PostgreSQL ($CRM_TEST_DATABASE_URL)" >&2
else
    echo "test.sh: testing on SQLite only (CRM_TEST_DATABASE_URL is not set)" >&2
fi

cargo test --workspace --all-targets "$@"
cargo test --workspace --doc "$@"
