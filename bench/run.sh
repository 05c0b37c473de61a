#!/usr/bin/env bash
# Measure the customers module against the performance targets (see bench/README.md).
#
#   bench/run.sh [--customers N] [--db sqlite|postgres] [--duration 20s] [options]
#
# Builds the release binary, generates N demo customers (or reuses a data dir), starts
# `crm serve` on a free 127.0.0.1 port, runs each load scenario with 16 connections for
# the duration, times an Excel export, samples the server's memory and prints a Markdown
# table, also written to bench/results/<date>-<db>-<N>.md. It reports; it asserts nothing
# (exit status 0 even when a figure misses its target).
#
# Options:
#   --customers N       demo customers to generate (default 100000)
#   --orders N          demo sales orders to generate (default: as many as customers)
#   --db sqlite|postgres  backend (default sqlite)
#   --duration D        load per scenario, e.g. 20s, 1m (default 20s)
#   --connections C     concurrent connections (default 16)
#   --seed S            demo data seed (default 2026)
#   --reuse DIR         reuse the data dir of an earlier run (kept by default) instead of
#                       generating again; for postgres the earlier run needs --keep
#   --keep              postgres: leave the throwaway cluster running for a later --reuse
#   --clean             delete the data dir at the end
#   --tool oha|wrk      load tool (default: oha if installed or installable, else wrk)
#   --rev REV           build a clean snapshot of commit REV (git archive) instead of the
#                       work tree, e.g. --rev HEAD while others have edits in progress
#   --no-build          use the existing binary in $CARGO_TARGET_DIR/release
#   --no-export         skip the export measurement
#   --no-import         skip the lead import measurement (it adds 100k leads to the data)
#   --generate-only     stop after generating the data (measure later with --reuse;
#                       postgres also needs --keep)
#
# Environment: CARGO_TARGET_DIR (default /var/tmp/crm-bench-target), BENCH_TOOLS_DIR
# (default /var/tmp/crm-bench-tools; oha is installed there), PGPORT_TEST (default 55433),
# OHA_INSTALL_TIMEOUT seconds (default 900).
#
# Every request goes to 127.0.0.1; every loop is bounded in count or time.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

CUSTOMERS=100000
ORDERS=
GENERATE_ONLY=0
CUSTOMERS_SET=0
DB=sqlite
DURATION=20s
CONNECTIONS=16
SEED=2026
REUSE=
KEEP=0
CLEAN=0
TOOL=auto
BUILD=1
EXPORT=1
IMPORT=1
IMPORT_ROWS=100000
REV=

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/crm-bench-target}"
TOOLS_DIR="${BENCH_TOOLS_DIR:-/var/tmp/crm-bench-tools}"
PGPORT="${PGPORT_TEST:-55433}"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
PG_STATE_FILE=/tmp/crm-pg-test.dir

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    printf '[bench] ERROR: %s\n' "$*" >&2
    exit 1
}
usage() {
    sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
    --customers) CUSTOMERS="${2:?}"; CUSTOMERS_SET=1; shift 2 ;;
    --orders) ORDERS="${2:?}"; shift 2 ;;
    --db) DB="${2:?}"; shift 2 ;;
    --duration) DURATION="${2:?}"; shift 2 ;;
    --connections) CONNECTIONS="${2:?}"; shift 2 ;;
    --seed) SEED="${2:?}"; shift 2 ;;
    --reuse) REUSE="${2:?}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --clean) CLEAN=1; shift ;;
    --tool) TOOL="${2:?}"; shift 2 ;;
    --rev) REV="${2:?}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-export) EXPORT=0; shift ;;
    --no-import) IMPORT=0; shift ;;
    --generate-only) GENERATE_ONLY=1; shift ;;
    -h | --help) usage 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; usage 2 ;;
    esac
done

case "$DB" in sqlite | postgres) ;; *) die "--db must be sqlite or postgres" ;; esac
case "$TOOL" in auto | oha | wrk) ;; *) die "--tool must be oha or wrk" ;; esac
[[ "$CUSTOMERS" =~ ^[0-9]+$ ]] || die "--customers must be a number"
ORDERS=${ORDERS:-$CUSTOMERS}
[[ "$ORDERS" =~ ^[0-9]+$ ]] || die "--orders must be a number"
[[ "$CONNECTIONS" =~ ^[0-9]+$ ]] || die "--connections must be a number"
# Duration in whole seconds (accepts 20, 20s, 2m).
case "$DURATION" in
*m) DUR_S=$((${DURATION%m} * 60)) ;;
*s) DUR_S=${DURATION%s} ;;
*) DUR_S=$DURATION ;;
esac
if ! [[ "$DUR_S" =~ ^[0-9]+$ ]] || [ "$DUR_S" -lt 1 ] || [ "$DUR_S" -gt 3600 ]; then
    die "--duration must be between 1s and 60m"
fi

for t in curl jq python3; do
    command -v "$t" >/dev/null 2>&1 || die "$t is required"
done

# ---------------------------------------------------------------------------------------
# Load tool
# ---------------------------------------------------------------------------------------
OHA=
install_oha() {
    if [ -x "$TOOLS_DIR/bin/oha" ]; then
        OHA="$TOOLS_DIR/bin/oha"
        return 0
    fi
    if command -v oha >/dev/null 2>&1; then
        OHA=$(command -v oha)
        return 0
    fi
    command -v cargo >/dev/null 2>&1 || return 1
    log "installing oha from crates.io into $TOOLS_DIR (once; up to ${OHA_INSTALL_TIMEOUT:-900}s)"
    mkdir -p "$TOOLS_DIR"
    if CARGO_TARGET_DIR="$TOOLS_DIR/target" timeout "${OHA_INSTALL_TIMEOUT:-900}" \
        cargo install oha --locked --root "$TOOLS_DIR" >"$TOOLS_DIR/oha-install.log" 2>&1; then
        OHA="$TOOLS_DIR/bin/oha"
        return 0
    fi
    log "cargo install oha failed (log: $TOOLS_DIR/oha-install.log)"
    return 1
}
install_wrk() {
    command -v wrk >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 || return 1
    log "installing wrk with apt-get (once)"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
    { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq update &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq \
            install -y --no-install-recommends wrk; } >&2 || return 1
    command -v wrk >/dev/null 2>&1
}
case "$TOOL" in
oha) install_oha || die "oha is not available" ;;
wrk) install_wrk || die "wrk is not available" ;;
auto)
    if install_oha; then
        TOOL=oha
    elif install_wrk; then
        TOOL=wrk
    else
        die "neither oha nor wrk could be installed"
    fi
    ;;
esac
if [ "$TOOL" = oha ]; then
    TOOL_VERSION=$("$OHA" --version 2>/dev/null | head -n1)
else
    TOOL_VERSION="wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?')"
fi
log "load tool: $TOOL_VERSION"

# ---------------------------------------------------------------------------------------
# Binary
# ---------------------------------------------------------------------------------------
BIN="$CARGO_TARGET_DIR/release/crm"
SRC=$ROOT
if [ -n "$REV" ]; then
    SHA=$(git -C "$ROOT" rev-parse --verify "$REV^{commit}") || die "no commit $REV"
    SRC="${BENCH_SRC_DIR:-/var/tmp/crm-bench-src}/$SHA"
    if [ ! -f "$SRC/Cargo.toml" ]; then
        log "exporting commit ${SHA:0:9} to $SRC"
        rm -rf -- "$SRC"
        mkdir -p "$SRC"
        git -C "$ROOT" archive "$SHA" | tar -x -C "$SRC"
    fi
fi
if [ "$BUILD" -eq 1 ]; then
    log "building the release binary from $SRC into $CARGO_TARGET_DIR (several minutes on 2 cores)"
    (cd "$SRC" && cargo build --release -p crm) >&2
fi
[ -x "$BIN" ] || die "no binary at $BIN (build with: CARGO_TARGET_DIR=$CARGO_TARGET_DIR cargo build --release -p crm)"

# ---------------------------------------------------------------------------------------
# Data dir, database, cleanup
# ---------------------------------------------------------------------------------------
SERVER_PID=
SAMPLER_PID=
PG_DIR=
PG_STARTED=0
cleanup() {
    local rc=$?
    set +e
    if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null; fi
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ "$PG_STARTED" -eq 1 ] && [ "$KEEP" -eq 0 ] && [ -n "$PG_DIR" ]; then
        log "stopping the throwaway PostgreSQL cluster $PG_DIR"
        PGPORT_TEST="$PGPORT" "$ROOT/scripts/pg-test-cluster.sh" stop "$PG_DIR" || true
        rm -f "$WORK/pg.dir" 2>/dev/null
    fi
    if [ "$CLEAN" -eq 1 ] && [ -n "${WORK:-}" ] && [[ "$WORK" == /tmp/crm-bench.* ]]; then
        log "removing $WORK"
        rm -rf -- "$WORK"
    elif [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
        if [ "$DB" = postgres ] && [ "$PG_STARTED" -eq 1 ] && [ "$KEEP" -eq 0 ]; then
            log "logs kept in $WORK (the database went with the cluster; --keep keeps both for --reuse)"
        else
            log "data dir kept: $WORK (rerun with --reuse $WORK; delete with rm -rf $WORK)"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$REUSE" ]; then
    WORK=$(cd "$REUSE" && pwd)
    [ -f "$WORK/bench.env" ] || die "$WORK has no bench.env: not a data dir of bench/run.sh"
    # shellcheck disable=SC1091
    . "$WORK/bench.env"
    [ "$BENCH_DB" = "$DB" ] || die "$WORK holds a $BENCH_DB database, not $DB"
    if [ "$CUSTOMERS_SET" -eq 1 ] && [ "$CUSTOMERS" != "$BENCH_CUSTOMERS" ]; then
        die "$WORK holds $BENCH_CUSTOMERS customers, not $CUSTOMERS"
    fi
    CUSTOMERS=$BENCH_CUSTOMERS
    ORDERS=${BENCH_ORDERS:-0}
else
    WORK=$(mktemp -d /tmp/crm-bench.XXXXXX)
fi
log "data dir: $WORK"

psql_bench() {
    local psql="$PG_BINDIR/psql"
    [ -x "$psql" ] || psql=psql
    "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"
}

if [ "$DB" = sqlite ]; then
    DB_URL="sqlite://$WORK/crm.db"
else
    # scripts/pg-test-cluster.sh records its cluster in one shared state file, which the
    # test suite's cluster (port 55432) uses too: remember what was there and put it back,
    # and stop our cluster by its directory, so the two never get mixed up.
    saved_state=
    [ -f "$PG_STATE_FILE" ] && saved_state=$(cat "$PG_STATE_FILE")
    PGPORT_TEST="$PGPORT" "$ROOT/scripts/pg-test-cluster.sh" >/dev/null
    new_state=
    [ -f "$PG_STATE_FILE" ] && new_state=$(cat "$PG_STATE_FILE")
    if [ -n "$new_state" ] && [ "$new_state" != "$saved_state" ]; then
        PG_DIR=$new_state
        PG_STARTED=1
        if [ -n "$saved_state" ]; then
            printf '%s\n' "$saved_state" >"$PG_STATE_FILE"
        else
            rm -f "$PG_STATE_FILE"
        fi
        printf '%s\n' "$PG_DIR" >"$WORK/pg.dir"
        log "started a throwaway PostgreSQL cluster on 127.0.0.1:$PGPORT ($PG_DIR)"
    elif [ -f "$WORK/pg.dir" ]; then
        # Reusing the cluster an earlier run left running with --keep: ours to stop.
        PG_DIR=$(cat "$WORK/pg.dir")
        PG_STARTED=1
        log "reusing the PostgreSQL cluster on 127.0.0.1:$PGPORT ($PG_DIR)"
    else
        log "reusing whatever PostgreSQL answers on 127.0.0.1:$PGPORT (not stopped at the end)"
    fi
    DB_URL="postgres://postgres@127.0.0.1:$PGPORT/crm_bench"
    if [ -z "$REUSE" ]; then
        psql_bench -d postgres -c "DROP DATABASE IF EXISTS crm_bench" -c "CREATE DATABASE crm_bench"
    else
        psql_bench -d crm_bench -c "SELECT 1" >/dev/null ||
            die "database crm_bench is gone from 127.0.0.1:$PGPORT; run again without --reuse"
    fi
fi

# The data dir is its own working directory: no crm.toml from elsewhere is picked up.
crm() { (cd "$WORK" && "$BIN" --database-url "$DB_URL" "$@"); }

DEMO_SECONDS=
if [ -z "$REUSE" ]; then
    log "generating the demo organisation, $CUSTOMERS customers and $ORDERS orders (crm demo)"
    t0=$(date +%s.%N)
    crm demo --customers "$CUSTOMERS" --orders "$ORDERS" --seed "$SEED" >"$WORK/demo.log" 2>&1 ||
        { tail -n 20 "$WORK/demo.log" >&2; die "crm demo failed"; }
    t1=$(date +%s.%N)
    DEMO_SECONDS=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
    tail -n 2 "$WORK/demo.log" | tr '\r' '\n' | tail -n 2 >&2
    cat >"$WORK/bench.env" <<EOF
BENCH_DB=$DB
BENCH_CUSTOMERS=$CUSTOMERS
BENCH_ORDERS=$ORDERS
BENCH_SEED=$SEED
BENCH_DEMO_SECONDS=$DEMO_SECONDS
EOF
    log "crm demo took ${DEMO_SECONDS}s"
else
    DEMO_SECONDS="${BENCH_DEMO_SECONDS:-?} (earlier run)"
fi

# Planner statistics. SQLite has none unless someone runs ANALYZE (the application does
# not); PostgreSQL's autovacuum analyzes freshly loaded tables within a minute or two, so
# wait for that (bounded) and measure the steady state a running installation reaches.
if [ "$DB" = sqlite ]; then
    n=$(python3 -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(c.execute("SELECT count(*) FROM sqlite_master WHERE name = ?", ("sqlite_stat1",)).fetchone()[0])' "$WORK/crm.db")
    if [ "$n" = 0 ]; then
        STATS="no planner statistics (no sqlite_stat1: nothing has run ANALYZE)"
    else
        STATS="planner statistics present (sqlite_stat1)"
    fi
else
    log "waiting for autovacuum to analyze customers, contacts and customer_search (at most 300s)"
    waited=0
    analyzed=0
    for _ in $(seq 1 150); do
        n=$(psql_bench -d crm_bench -At -c "SELECT count(*) FROM pg_stat_user_tables
            WHERE relname IN ('customers', 'contacts', 'customer_search')
            AND coalesce(last_autoanalyze, last_analyze) IS NOT NULL")
        if [ "$n" = 3 ]; then analyzed=1; break; fi
        sleep 2
        waited=$((waited + 2))
    done
    if [ "$analyzed" -eq 1 ]; then
        STATS="autovacuum had analyzed the tables (waited ${waited}s for it)"
    else
        STATS="**not analyzed** by autovacuum within 300s: planner without statistics"
    fi
    log "$STATS"
fi

if [ "$DB" = sqlite ]; then
    DB_SIZE=$(du -cb "$WORK"/crm.db* | tail -n1 | cut -f1)
else
    DB_SIZE=$(psql_bench -d crm_bench -At -c "SELECT pg_database_size('crm_bench')")
fi
DB_SIZE_MB=$(python3 -c "print(f'{$DB_SIZE / 1048576:.0f}')")
if [ "$GENERATE_ONLY" -eq 1 ]; then
    log "generated ($DB_SIZE_MB MB); measure with: bench/run.sh --db $DB --reuse $WORK"
    exit 0
fi

# ---------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
API="$BASE/api/v1"
log "starting crm serve on 127.0.0.1:$PORT"
(cd "$WORK" && exec "$BIN" --database-url "$DB_URL" serve --bind "127.0.0.1:$PORT") \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$WORK/server.log" >&2; die "crm serve exited"; }
    if curl -fsS -m 2 "$BASE/healthz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.2
done
[ "$ready" -eq 1 ] || die "crm serve did not answer /healthz within 60s"

login() {
    curl -fsS -m 10 -X POST "$API/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\": \"$1\", \"password\": \"demo1234\", \"token_name\": \"bench\"}" |
        jq -r .token
}
REP_TOKEN=$(login liuyang)
MGR_TOKEN=$(login liming)
MID_TOKEN=$(login zhangwei)
ADMIN_TOKEN=$(login admin)
for t in "$REP_TOKEN" "$MGR_TOKEN" "$MID_TOKEN" "$ADMIN_TOKEN"; do
    [[ "$t" == crm_* ]] || die "login failed (is this a demo database?)"
done

get() { # get TOKEN PATH → body
    curl -fsS -m 60 -H "Authorization: Bearer $1" "$API$2"
}
urlencode() { jq -rn --arg v "$1" '$v | @uri'; }

# Sample values that exist: a 2-character Chinese contact name and a 6-digit fragment of a
# mobile number (both as seen by the manager), and customer ids spread over the table.
CONTACTS=$(get "$MGR_TOKEN" "/contacts?limit=200")
NAME=$(jq -r '[.items[].name | select(length == 2)] | .[0] // empty' <<<"$CONTACTS")
[ -n "$NAME" ] || die "no 2-character contact name among the first 200 contacts"
MOBILE=$(jq -r '[.items[].mobile | select(. != null and length >= 11)] | .[3] // .[0] // empty' <<<"$CONTACTS")
[ -n "$MOBILE" ] || die "no contact mobile number found"
PHONE=${MOBILE:3:6}
IDS=$( { get "$MGR_TOKEN" "/customers?limit=16&sort=name"; get "$MGR_TOKEN" "/customers?limit=16&sort=updated"; } |
    jq -r '.items[].id' | sort -un | head -n 32 | tr '\n' ' ')
[ -n "$IDS" ] || die "no customers visible to liming"
read -r -a ID_ARR <<<"$IDS"

P_LIST="/api/v1/customers?limit=50"
P_BY_NAME="/api/v1/customers?limit=50&sort=name"
P_BY_UPDATE="/api/v1/customers?limit=50&sort=updated"
P_NAME="/api/v1/customers?limit=50&q=$(urlencode "$NAME")"
P_PHONE="/api/v1/customers?limit=50&q=$PHONE"
P_SHOW=()
for id in "${ID_ARR[@]}"; do P_SHOW+=("/api/v1/customers/$id"); done

# Rows on the first page of each scenario (a sanity check that it returns data).
rows() { get "$1" "${2#/api/v1}" | jq '.items | length'; }
ROWS_REP=$(rows "$REP_TOKEN" "$P_LIST")
ROWS_MGR=$(rows "$MGR_TOKEN" "$P_LIST")
ROWS_NAME=$(rows "$MGR_TOKEN" "$P_NAME")
ROWS_PHONE=$(rows "$MGR_TOKEN" "$P_PHONE")
get "$MGR_TOKEN" "${P_SHOW[0]#/api/v1}" >/dev/null
log "samples: name '$NAME' ($ROWS_NAME rows on page 1), phone fragment '$PHONE' ($ROWS_PHONE rows), ${#ID_ARR[@]} customer ids"

# ---------------------------------------------------------------------------------------
# Memory sampling: VmRSS every 0.25 s while a scenario runs, bounded by its duration.
# ---------------------------------------------------------------------------------------
RSS_FILE="$WORK/rss.samples"
: >"$RSS_FILE"
start_sampler() { # start_sampler MAX_SECONDS FILE
    local n=$(($1 * 4 + 40)) out=$2
    (
        for _ in $(seq 1 "$n"); do
            awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null >>"$out" || break
            sleep 0.25
        done
    ) &
    SAMPLER_PID=$!
}
stop_sampler() {
    if [ -n "$SAMPLER_PID" ]; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
        SAMPLER_PID=
    fi
}
status_kb() { awk -v k="^$1:" '$0 ~ k {print $2}' "/proc/$SERVER_PID/status"; }
max_of() { sort -n "$1" | tail -n1; }
mb() { python3 -c "print(f'{${1:-0} / 1024:.0f}')"; }

# ---------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------
# run_load NAME TOKEN PATH... → sets R_RPS R_P50 R_P99 (ms) R_N R_ERR
run_load() {
    local name=$1 token=$2
    shift 2
    local out="$WORK/load-$name"
    log "scenario $name: ${CONNECTIONS} connections for ${DUR_S}s"
    start_sampler "$DUR_S" "$RSS_FILE"
    if [ "$TOOL" = oha ]; then
        local args=(-z "${DUR_S}s" -c "$CONNECTIONS" --no-tui --output-format json
            -H "Authorization: Bearer $token")
        if [ $# -gt 1 ]; then
            printf "$BASE%s\n" "$@" >"$out.urls"
            args+=(--urls-from-file "$out.urls")
        else
            args+=("$BASE$1")
        fi
        timeout $((DUR_S + 120)) "$OHA" "${args[@]}" >"$out.json" 2>"$out.err" ||
            { stop_sampler; cat "$out.err" >&2; die "oha failed in scenario $name"; }
        stop_sampler
        read -r R_RPS R_P50 R_P99 R_N R_ERR < <(jq -r '
            (.statusCodeDistribution // {}) as $s
            | ([$s | to_entries[] | .value] | add // 0) as $n
            | ([$s | to_entries[] | select(.key != "200") | .value] | add // 0) as $bad
            | ([(.errorDistribution // {}) | to_entries[]
                | select(.key | test("deadline") | not) | .value] | add // 0) as $err
            | [(.summary.requestsPerSec | floor),
               (.latencyPercentiles.p50 * 1000 * 100 | round / 100),
               (.latencyPercentiles.p99 * 1000 * 100 | round / 100),
               $n, ($bad + $err)] | @tsv' "$out.json")
    else
        local threads=2
        [ "$CONNECTIONS" -lt 2 ] && threads=1
        local paths=""
        [ $# -gt 1 ] && paths="$*"
        WRK_PATHS="$paths" timeout $((DUR_S + 120)) wrk -t "$threads" -c "$CONNECTIONS" \
            -d "${DUR_S}s" --timeout 10s -s "$HERE/wrk-report.lua" \
            -H "Authorization: Bearer $token" "$BASE$1" >"$out.txt" 2>&1 ||
            { stop_sampler; cat "$out.txt" >&2; die "wrk failed in scenario $name"; }
        stop_sampler
        local line
        line=$(grep '^WRK_RESULT' "$out.txt") || { cat "$out.txt" >&2; die "no wrk result"; }
        read -r R_RPS R_P50 R_P99 R_N R_ERR < <(python3 - "$line" <<'PY'
import sys
f = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
n = int(f["requests"]); secs = int(f["duration_us"]) / 1e6
errs = sum(int(f[k]) for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts"))
print(int(n / secs), round(int(f["p50_us"]) / 1000, 2), round(int(f["p99_us"]) / 1000, 2), n, errs)
PY
        )
    fi
    log "  $R_RPS req/s, p50 ${R_P50} ms, p99 ${R_P99} ms, $R_N requests, $R_ERR errors"
}

verdict() { # verdict VALUE TARGET → ✅ / ❌
    python3 -c "print('✅' if float('$1') <= float('$2') else '❌')"
}

# Wait until the server is idle (CPU time grows by < 5% of a core over 0.5 s, at most
# 60 s): requests a load tool abandoned at its deadline must not run into the next scenario.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
settle() {
    local before after
    for _ in $(seq 1 120); do
        before=$(cpu_ticks)
        sleep 0.5
        after=$(cpu_ticks)
        [ $((after - before)) -le 2 ] && return 0
    done
    log "  the server was still busy 60s after the scenario"
}

declare -A RPS P50 P99 NREQ NERR
scenario() {
    local key=$1
    shift
    settle
    run_load "$key" "$@"
    RPS[$key]=$R_RPS P50[$key]=$R_P50 P99[$key]=$R_P99 NREQ[$key]=$R_N NERR[$key]=$R_ERR
}

# A short warm-up so that the first scenario does not pay for cold caches alone.
for p in "$P_LIST" "$P_NAME" "$P_PHONE"; do
    for _ in 1 2 3; do curl -fsS -m 30 -o /dev/null -H "Authorization: Bearer $MGR_TOKEN" "$BASE$p"; done
done

scenario a_list_rep "$REP_TOKEN" "$P_LIST"
scenario b_list_manager "$MGR_TOKEN" "$P_LIST"
# The other list orders, read per owner (crm-store page.rs): the top manager by name, a
# middle manager (three reps) by last update.
scenario l_list_name_manager "$MGR_TOKEN" "$P_BY_NAME"
scenario m_list_updated_middle "$MID_TOKEN" "$P_BY_UPDATE"
scenario c_search_name "$MGR_TOKEN" "$P_NAME"
scenario d_search_phone "$MGR_TOKEN" "$P_PHONE"
scenario e_customer_page "$MGR_TOKEN" "${P_SHOW[@]}"
# Sales (issue 4): the top manager's rep statistics for the current quarter and the
# "likely to close" list over his whole team.
P_STATS="/api/v1/stats/reps?period=quarter"
P_CLOSING="/api/v1/opportunities/closing-soon?days=30&min_probability=60"
ROWS_STATS=$(get "$MGR_TOKEN" "${P_STATS#/api/v1}" | jq '.rows | length')
ROWS_CLOSING=$(get "$MGR_TOKEN" "${P_CLOSING#/api/v1}" | jq '.items | length')
log "samples: rep statistics list $ROWS_STATS people, closing soon $ROWS_CLOSING opportunities"
scenario h_stats_quarter "$MGR_TOKEN" "$P_STATS"
scenario i_closing_soon "$MGR_TOKEN" "$P_CLOSING"

# Market (issue 5): quota progress for the whole company (admin, scope all), sales amount
# over the current year. Every active person gets a yearly target first (PUT replaces, so
# re-runs on the same data do not pile up); that write also ends any cached figures, so
# the first request afterwards is timed on its own as the cold computation.
P_QUOTA="/api/v1/quotas/progress?period=year&metric=sales_amount"
QUOTA_SET=0
for uid in $(get "$ADMIN_TOKEN" "/users?limit=200" | jq -r '.items[] | select(.active) | .id'); do
    curl -fsS -m 30 -o /dev/null -X PUT -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/json' "$API/quotas" \
        -d "{\"user_id\": $uid, \"metric\": \"sales_amount\", \"period\": \"year\", \"target\": \"5000000\"}" &&
        QUOTA_SET=$((QUOTA_SET + 1))
done
settle
QUOTA_COLD_MS=$(curl -fsS -m 120 -o /dev/null -w '%{time_total}' \
    -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE$P_QUOTA" | python3 -c 'import sys; print(round(float(sys.stdin.read()) * 1000, 1))')
ROWS_QUOTA=$(get "$ADMIN_TOKEN" "${P_QUOTA#/api/v1}" | jq '.people | length')
log "samples: $QUOTA_SET yearly targets set, $ROWS_QUOTA people in the company ranking; cold ${QUOTA_COLD_MS} ms"
scenario j_quota_company "$ADMIN_TOKEN" "$P_QUOTA"

RSS_LOAD_MAX_KB=$(max_of "$RSS_FILE")
HWM_LOAD_KB=$(status_kb VmHWM)
RSS_IDLE_KB=$(status_kb VmRSS)

# ---------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------
settle
EXPORT_ROWS=- EXPORT_S=- EXPORT_MB=- EXPORT_OK=- EXPORT_WHO=- RSS_EXPORT_MAX_KB='' HWM_EXPORT_KB=''
if [ "$EXPORT" -eq 1 ]; then
    if [ "$CUSTOMERS" -ge 100000 ]; then
        EXPORT_WHO=liming EXPORT_TOKEN=$MGR_TOKEN
    else
        EXPORT_WHO=admin EXPORT_TOKEN=$ADMIN_TOKEN
    fi
    python3 -c 'import openpyxl' 2>/dev/null || {
        log "installing openpyxl with pip"
        pip install --quiet openpyxl >&2 2>/dev/null ||
            pip install --quiet --break-system-packages openpyxl >&2 ||
            die "could not install openpyxl"
    }
    log "export: GET /api/v1/customers/export.xlsx as $EXPORT_WHO"
    EXPORT_SAMPLES="$WORK/rss-export.samples"
    : >"$EXPORT_SAMPLES"
    start_sampler 900 "$EXPORT_SAMPLES"
    rm -f "$WORK/customers.xlsx"
    read -r code secs size < <(curl -sS -m 900 -o "$WORK/customers.xlsx" \
        -w '%{http_code} %{time_total} %{size_download}\n' \
        -H "Authorization: Bearer $EXPORT_TOKEN" "$API/customers/export.xlsx")
    stop_sampler
    RSS_EXPORT_MAX_KB=$(max_of "$EXPORT_SAMPLES")
    HWM_EXPORT_KB=$(status_kb VmHWM)
    [ "$code" = 200 ] || { head -c 500 "$WORK/customers.xlsx" >&2; die "export answered $code"; }
    EXPORT_S=$(python3 -c "print(f'{$secs:.2f}')")
    EXPORT_MB=$(python3 -c "print(f'{$size / 1048576:.1f}')")
    log "export: ${EXPORT_S}s, ${EXPORT_MB} MB; counting rows with openpyxl"
    if EXPORT_ROWS=$(python3 - "$WORK/customers.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb.worksheets[0]
n = sum(1 for _ in ws.iter_rows(values_only=True))
wb.close()
print(n - 1)  # less the header row
PY
    ); then
        EXPORT_OK=yes
    else
        EXPORT_OK=no EXPORT_ROWS=-
    fi
    log "export: $EXPORT_ROWS data rows (opens with openpyxl: $EXPORT_OK)"
fi

# ---------------------------------------------------------------------------------------
# Lead import (issue 5): $IMPORT_ROWS leads from an .xlsx, imported by the admin (scope all)
# so every row is checked for duplicates against every customer, contact and lead. One row
# in ten carries the mobile number of an existing contact (a duplicate to skip). The file
# is made unique per run (its import keys are new), so each run imports for real.
# ---------------------------------------------------------------------------------------
settle
IMPORT_S=- IMPORT_RATE=- IMPORT_UPLOAD_S=- IMPORT_REPORT=- IMPORT_MB=-
if [ "$IMPORT" -eq 1 ]; then
    python3 -c 'import openpyxl' 2>/dev/null || {
        log "installing openpyxl with pip"
        pip install --quiet openpyxl >&2 2>/dev/null ||
            pip install --quiet --break-system-packages openpyxl >&2 ||
            die "could not install openpyxl"
    }
    MOBILES=$(jq -r '[.items[].mobile | select(. != null)] | join(",")' <<<"$CONTACTS")
    log "import: writing $IMPORT_ROWS rows to leads.xlsx"
    python3 - "$WORK/leads.xlsx" "$IMPORT_ROWS" "$MOBILES" "$(date +%s%N)" <<'PY'
import random, sys, openpyxl
path, n, mobiles, stamp = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4]
rnd = random.Random(7)
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
cities = [("北京", "北京"), ("上海", "上海"), ("广东", "广州"), ("广东", "深圳"), ("浙江", "杭州"), ("四川", "成都")]
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("线索")
ws.append(["姓名", "公司", "手机", "邮箱", "省份", "城市", "来源", "备注"])
for i in range(n):
    prov, city = rnd.choice(cities)
    mobile = rnd.choice(mobiles) if i % 10 == 0 and mobiles[0] else f"15{stamp[-3:]}{i:06d}"
    ws.append([
        rnd.choice(surnames) + rnd.choice(given),
        f"{city}基准{stamp[-6:]}号{i}科技有限公司",
        mobile,
        f"lead{i}.{stamp[-8:]}@bench.example.com",
        prov, city, "展会", f"bench run {stamp}",
    ])
wb.save(path)
PY
    IMPORT_MB=$(python3 -c "import os; print(f'{os.path.getsize(\"$WORK/leads.xlsx\") / 1048576:.1f}')")
    log "import: uploading ($IMPORT_MB MB)"
    t0=$(date +%s.%N)
    UP=$(curl -fsS -m 600 -H "Authorization: Bearer $ADMIN_TOKEN" \
        -F "file=@$WORK/leads.xlsx" "$API/leads/imports") || die "the upload was refused"
    t1=$(date +%s.%N)
    IMPORT_UPLOAD_S=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
    IMPORT_ID=$(jq -r .id <<<"$UP")
    log "import: job $IMPORT_ID, $(jq -r .rows <<<"$UP") rows read and checked in ${IMPORT_UPLOAD_S}s; running"
    t0=$(date +%s.%N)
    curl -fsS -m 60 -o /dev/null -X POST -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/json' "$API/leads/imports/$IMPORT_ID/run" \
        -d '{"owner": "pool", "duplicates": "skip", "mode": "good_rows"}' || die "the import did not start"
    status=running
    for _ in $(seq 1 3600); do
        sleep 0.25
        J=$(get "$ADMIN_TOKEN" "/leads/imports/$IMPORT_ID")
        status=$(jq -r .status <<<"$J")
        [ "$status" = running ] || break
        log "  import progress $(jq -r '"\(.done)/\(.total)"' <<<"$J")"
    done
    t1=$(date +%s.%N)
    [ "$status" = done ] || die "the import ended as $status: $(jq -c . <<<"$J" | head -c 400)"
    IMPORT_S=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
    IMPORT_RATE=$(python3 -c "print(f'{$IMPORT_ROWS / ($t1 - $t0):,.0f}')")
    IMPORT_REPORT=$(jq -r '.report | "\(.imported) imported, \(.duplicates_skipped) duplicates skipped, \(.failed) failed"' <<<"$J")
    log "import: ${IMPORT_S}s (${IMPORT_RATE} rows/s): $IMPORT_REPORT"
fi

# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------
if [ -n "$REV" ]; then
    COMMIT=${SHA:0:9}
elif [ "$BUILD" -eq 1 ]; then
    COMMIT=$(cd "$ROOT" && git rev-parse --short=9 HEAD 2>/dev/null || echo '?')
    DIRTY=$(cd "$ROOT" && git status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null | head -n1)
    [ -n "$DIRTY" ] && COMMIT="$COMMIT + uncommitted changes"
else
    COMMIT="unknown (--no-build)"
fi
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
CORES=$(nproc)
MEM=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
DATE=$(date +%Y-%m-%d)

row() { # row KEY LABEL TARGET_MS NOTE
    local k=$1
    local err=""
    [ "${NERR[$k]}" != 0 ] && err=" (**${NERR[$k]} errors**)"
    printf '| %s | %s | %s | %s | %s | ≤ %s ms | %s |\n' "$2" "${RPS[$k]}" "${P50[$k]}" \
        "${P99[$k]}${err}" "${NREQ[$k]}" "$3" "$(verdict "${P99[$k]}" "$3")$4"
}

# The export target is for 100k customers; a larger export is judged per 100k rows.
per_100k() {
    if [ "$EXPORT_S" != - ] && [ "$EXPORT_ROWS" != - ] && [ "$EXPORT_ROWS" -gt 100000 ]; then
        python3 -c "print(f' ({$EXPORT_S * 100000 / $EXPORT_ROWS:.2f} s per 100k)')"
    fi
}

REPORT=$(
    cat <<EOF
# Customers and sales benchmark — $DB, $CUSTOMERS customers, $ORDERS orders

- Date: $DATE, commit $COMMIT; machine: $CORES cores ($CPU), $MEM
- Database: $DB, $CUSTOMERS customers (~2 contacts, ~5 activities each), $DB_SIZE_MB MB on disk;
  \`crm demo\` took ${DEMO_SECONDS}s; $STATS
- Load: $TOOL_VERSION on 127.0.0.1, $CONNECTIONS connections, ${DUR_S}s per scenario,
  load tool on the same machine as the server
- Samples: name \`$NAME\` ($ROWS_NAME rows on page 1), phone fragment \`$PHONE\`
  ($ROWS_PHONE rows), ${#ID_ARR[@]} customer ids; first page $ROWS_REP rows for the rep,
  $ROWS_MGR for the manager

| scenario | req/s | p50 ms | p99 ms | requests | target | met |
|---|---:|---:|---:|---:|---|---|
$(row a_list_rep "(a) first list page, rep (liuyang)" 20 "")
$(row b_list_manager "(b) first list page, top manager (liming)" 20 "")
$(row l_list_name_manager "(l) first list page by name, top manager" 20 "")
$(row m_list_updated_middle "(m) first list page by last update, middle manager (zhangwei)" 20 "")
$(row c_search_name "(c) search 2-char name \`$NAME\`, manager" 50 "")
$(row d_search_phone "(d) search phone fragment \`$PHONE\`, manager" 50 "")
$(row e_customer_page "(e) customer page, ${#ID_ARR[@]} ids rotating, manager" 20 "")
$(row h_stats_quarter "(h) rep statistics, current quarter, top manager ($ROWS_STATS people; $ORDERS orders in the database)" 100 "")
$(row i_closing_soon "(i) likely to close in 30 days, probability ≥ 60 %, top manager ($ROWS_CLOSING rows)" 100 "")
$(row j_quota_company "(j) quota progress, whole company, sales amount this year, admin ($ROWS_QUOTA people; cold: ${QUOTA_COLD_MS} ms)" 100 "")

| measure | value | target | met |
|---|---:|---|---|
| (f) export of $EXPORT_ROWS customers as $EXPORT_WHO (opens with openpyxl: $EXPORT_OK), $EXPORT_MB MB | ${EXPORT_S} s$(per_100k) | ≤ 5 s per 100k | $(if [ "$EXPORT_S" = - ] || [ "$EXPORT_ROWS" = - ]; then echo -; else verdict "$(python3 -c "print($EXPORT_S * 100000 / max($EXPORT_ROWS, 100000))")" 5; fi) |
| (k) import of $IMPORT_ROWS leads from .xlsx ($IMPORT_MB MB) with duplicate checks, admin: $IMPORT_REPORT; upload and check ${IMPORT_UPLOAD_S} s | ${IMPORT_S} s = ${IMPORT_RATE} rows/s | ≥ 20,000 rows/s | $(if [ "$IMPORT_S" = - ]; then echo -; else python3 -c "print('✅' if $IMPORT_ROWS / $IMPORT_S >= 20000 else '❌')"; fi) |
| (g) server peak VmRSS sampled during load | $(mb "$RSS_LOAD_MAX_KB") MB | ≤ 200 MB | $(verdict "$(mb "$RSS_LOAD_MAX_KB")" 200) |
| (g) server VmHWM after load | $(mb "$HWM_LOAD_KB") MB | ≤ 200 MB | $(verdict "$(mb "$HWM_LOAD_KB")" 200) |
| server VmRSS after load, idle | $(mb "$RSS_IDLE_KB") MB | | |
| server peak VmRSS during export | $([ -n "$RSS_EXPORT_MAX_KB" ] && echo "$(mb "$RSS_EXPORT_MAX_KB") MB" || echo -) | | |
| server VmHWM after export | $([ -n "$HWM_EXPORT_KB" ] && echo "$(mb "$HWM_EXPORT_KB") MB" || echo -) | | |

Figures are reported, not asserted.
EOF
)

mkdir -p "$HERE/results"
OUT="$HERE/results/$DATE-$DB-$CUSTOMERS.md"
printf '%s\n' "$REPORT" >"$OUT"
printf '\n%s\n\n' "$REPORT"
log "written to ${OUT#"$ROOT"/}"
