#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster for the test suite.
#
#   eval "$(scripts/pg-test-cluster.sh)"     # start (or reuse) and export CRM_TEST_DATABASE_URL
#   scripts/pg-test-cluster.sh stop [DIR]    # stop the cluster and delete its directory
#
# stdout carries exactly one line, `export CRM_TEST_DATABASE_URL=...`; all
# progress and errors go to stderr. If something already answers on the port
# (PGPORT_TEST, default 55432) the URL is printed and nothing is started.
#
# Environment:
#   PGPORT_TEST  port to listen on (default 55432)
#   PG_BINDIR    PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
set -euo pipefail

PORT="${PGPORT_TEST:-55432}"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
STATE_FILE=/tmp/crm-pg-test.dir
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

log() { printf 'pg-test-cluster: %s\n' "$*" >&2; }
die() {
    printf 'pg-test-cluster: ERROR: %s\n' "$*" >&2
    exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the user that owns the cluster: `postgres` when we are
# root (initdb and postgres refuse to run as root), otherwise ourselves.
# Runs from / so that the postgres user never trips over an unreadable cwd.
as_owner() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

port_answers() {
    local isready=
    if [ -x "$PG_BINDIR/pg_isready" ]; then
        isready="$PG_BINDIR/pg_isready"
    elif command -v pg_isready >/dev/null 2>&1; then
        isready=$(command -v pg_isready)
    fi
    if [ -n "$isready" ]; then
        "$isready" -q -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1
    else
        # No pg_isready anywhere: a plain TCP connect is the best we can do.
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") >/dev/null 2>&1
    fi
}

have_binaries() {
    [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] && [ -x "$PG_BINDIR/postgres" ]
}

install_binaries() {
    local sudo=()
    if ! is_root; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            die "PostgreSQL 15 binaries not found in $PG_BINDIR and we are neither root nor allowed to sudo; install postgresql-15 (or set PG_BINDIR)"
        fi
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "PostgreSQL 15 binaries not found in $PG_BINDIR and apt-get is unavailable; install PostgreSQL 15 (or set PG_BINDIR)"
    log "PostgreSQL 15 not found in $PG_BINDIR; installing postgresql-15 via apt-get (once)"
    local out
    out=$(mktemp)
    if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq update &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq \
            install -y --no-install-recommends postgresql-15; } >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        die "apt-get install postgresql-15 failed"
    fi
    rm -f "$out"
}

cmd_stop() {
    local dir="${1:-}"
    if [ -z "$dir" ]; then
        [ -f "$STATE_FILE" ] || {
            log "no $STATE_FILE; nothing to stop"
            return 0
        }
        dir=$(cat "$STATE_FILE")
    fi
    case "$dir" in
    /tmp/crm-pg.*) ;;
    *) die "refusing to touch '$dir' (not a /tmp/crm-pg.* directory)" ;;
    esac
    if [ -d "$dir/data" ]; then
        if [ -x "$PG_BINDIR/pg_ctl" ]; then
            log "stopping cluster in $dir"
            as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >&2 ||
                log "pg_ctl stop failed (cluster probably not running)"
        else
            log "pg_ctl not found in $PG_BINDIR; cannot stop $dir cleanly"
        fi
    fi
    rm -rf -- "$dir"
    if [ -f "$STATE_FILE" ] && [ "$(cat "$STATE_FILE")" = "$dir" ]; then
        rm -f -- "$STATE_FILE"
    fi
    log "removed $dir"
}

cmd_start() {
    if port_answers; then
        log "something already answers on 127.0.0.1:$PORT; reusing it"
        printf 'export CRM_TEST_DATABASE_URL=%s\n' "$URL"
        return 0
    fi

    have_binaries || install_binaries
    have_binaries || die "PostgreSQL 15 binaries still missing from $PG_BINDIR"

    if is_root && ! getent passwd postgres >/dev/null; then
        log "creating system user 'postgres'"
        useradd --system --home-dir /var/lib/postgresql --no-create-home \
            --shell /usr/sbin/nologin postgres >&2 || die "could not create user 'postgres'"
    fi

    # A previous cluster whose directory is still recorded but which is no
    # longer running (killed, crashed) is garbage: clean it up.
    if [ -f "$STATE_FILE" ]; then
        local old
        old=$(cat "$STATE_FILE")
        if [ -d "$old/data" ] && ! as_owner "$PG_BINDIR/pg_ctl" -D "$old/data" status >/dev/null 2>&1; then
            case "$old" in /tmp/crm-pg.*)
                log "removing stale cluster directory $old"
                rm -rf -- "$old"
                ;;
            esac
        elif [ -d "$old/data" ]; then
            log "warning: cluster in $old is still running (on another port?); it will no longer be tracked by $STATE_FILE"
        fi
    fi

    local dir
    dir=$(mktemp -d /tmp/crm-pg.XXXXXX)
    if is_root; then
        chown postgres:postgres "$dir"
    fi

    log "initdb in $dir/data"
    if ! as_owner "$PG_BINDIR/initdb" -D "$dir/data" -A trust -U postgres \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2 || true
        rm -rf -- "$dir"
        die "initdb failed"
    fi

    log "starting PostgreSQL on 127.0.0.1:$PORT (log: $dir/log)"
    if ! as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/log" \
        -o "-p $PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB" \
        -w -t 60 start >&2; then
        log "server log:"
        tail -n 30 "$dir/log" >&2 2>/dev/null || true
        as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf -- "$dir"
        die "could not start PostgreSQL on port $PORT (port taken by something else? set PGPORT_TEST)"
    fi

    printf '%s\n' "$dir" >"$STATE_FILE"
    log "ready: $URL (stop with: $0 stop)"
    printf 'export CRM_TEST_DATABASE_URL=%s\n' "$URL"
}

case "${1:-start}" in
start) cmd_start ;;
stop) cmd_stop "${2:-}" ;;
-h | --help | help)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
    ;;
*) die "unknown command '$1' (expected: start | stop [DIR])" ;;
esac
