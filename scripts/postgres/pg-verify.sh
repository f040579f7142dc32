#!/usr/bin/env bash
# Proves a pg_dump archive restores: restores it into a scratch PostgreSQL server started just for
# this (initdb in a temp directory, Unix socket only, small memory settings, bounded in time) and
# compares the row count of every table with the manifest written when the dump was taken
# (<id>.rows, counted in the dump's own snapshot). No Docker socket, no network, nothing shared
# with the live server. A dump without a manifest (older backups) must still restore completely.
#
#   pg-verify.sh <file.dump> [rows file]   exit 0: restored and every count matches; 1: not;
#                                          2: usage. The manifest defaults to <file>.rows.
#
# Variables: SCRATCH_DIR (default $TMPDIR or /tmp; a tmpfs is fastest), VERIFY_TIMEOUT_SECONDS
# (default 3600), SCRATCH_SHARED_BUFFERS (default 32MB), PG_BINDIR (initdb/pg_ctl; found on PATH
# or under /usr/lib/postgresql).
set -euo pipefail
SELF=pg-verify
log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SELF" "$*" >&2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: pg-verify.sh <file.dump> [rows file]" >&2; exit 2; fi
dump=$1
rows=${2:-${dump%.dump}.rows}
TIMEOUT=${VERIFY_TIMEOUT_SECONDS:-3600}
name=$(basename "${dump%.partial}" .dump) # how the log names it
COUNT_SQL=$(cat "$(dirname "$0")/count-rows.sql")

bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    find /usr/lib/postgresql -path '*/bin/initdb' 2>/dev/null | sort -V | tail -1 | xargs -r dirname
}
BIN=$(bindir)
[ -x "$BIN/initdb" ] || { log "no initdb found (set PG_BINDIR)"; exit 1; }
[ -s "$dump" ] || { log "$dump is missing or empty"; exit 1; }

# The scratch server runs as postgres (initdb refuses root); clients stay the caller.
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
scratch=$(mktemp -d "${SCRATCH_DIR:-${TMPDIR:-/tmp}}/pg-verify.XXXXXX")
cleanup() {
    as_server "$BIN/pg_ctl" -D "$scratch/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT
[ "$(id -u)" != 0 ] || chown postgres "$scratch"
as_server "$BIN/initdb" -D "$scratch/data" -U postgres --auth=trust -E UTF8 --no-sync >"$scratch/initdb.log" 2>&1 || { log "initdb failed: $(tail -3 "$scratch/initdb.log")"; exit 1; }
opts="-p 5432 -k $scratch -c listen_addresses= -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
opts+=" -c shared_buffers=${SCRATCH_SHARED_BUFFERS:-32MB} -c max_connections=10 -c work_mem=4MB -c maintenance_work_mem=64MB"
opts+=" -c wal_level=minimal -c max_wal_senders=0 -c autovacuum=off"
as_server "$BIN/pg_ctl" -D "$scratch/data" -l "$scratch/server.log" -w -t 120 -o "$opts" start >/dev/null || { log "scratch server did not start: $(tail -3 "$scratch/server.log" 2>/dev/null)"; exit 1; }

export PGHOST=$scratch PGPORT=5432 PGUSER=postgres PGDATABASE=verify
unset PGPASSFILE PGPASSWORD PGSERVICE
psql -X -q -d postgres -c "CREATE DATABASE verify" >/dev/null
t0=$(date +%s)
# Every object must come back; owners and grants need roles the scratch server does not have.
if ! timeout "$TIMEOUT" pg_restore --exit-on-error --no-owner --no-acl -d verify "$dump" 2>"$scratch/restore.log"; then
    log "$name does NOT restore: $(tail -3 "$scratch/restore.log" | tr '\n' ' ')"
    exit 1
fi
got=$(timeout "$TIMEOUT" psql -X -At -q -v ON_ERROR_STOP=1 <<<"$COUNT_SQL" | sort)
tables=$(printf '%s' "$got" | grep -c . || true)
if [ -f "$rows" ]; then
    want=$(sort "$rows")
    if [ "$got" != "$want" ]; then
        log "$name restores with different row counts than the dump had:"
        diff <(echo "$want") <(echo "$got") | grep '^[<>]' | head -20 >&2 || true
        exit 1
    fi
    log "ok $name: restored in $(( $(date +%s) - t0 ))s, $tables tables, every row count matches"
else
    log "ok $name: restored in $(( $(date +%s) - t0 ))s, $tables tables (no row manifest to compare)"
fi
