#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Redis backups for hostplane: an RDB snapshot copied from the running server over its own
# replication protocol (`redis-cli --rdb`, no shared volume), proved by loading it into a scratch
# redis-server (no network, Unix socket only) after redis-check-rdb accepted its CRC64 checksum.
# The key count per database the server reported just before the copy is kept in <id>.keys and
# compared after the load; the copy is not atomic with that count, so a difference is a warning
# (exact when the data is quiet, as in the tests) and the checksum plus the full load decide.
#
#   redis-backup.sh run [hourly|weekly|manual]   snapshot, verify, copy off-host, record metrics
#   redis-backup.sh verify <file.rdb>            load into a scratch server and check
#   redis-backup.sh drill                        verify the newest snapshot again (the daily drill)
#   redis-backup.sh prune [--now EPOCH]          retention, locally and off-host
#   redis-backup.sh loop                         the sidecar's schedule (backup-schedule.sh)
#   redis-backup.sh list                         backup ids, newest first
#   redis-backup.sh fetch <id> < identity        download an off-host copy and decrypt it
#
# Connection: REDIS_HOST, REDIS_PORT, REDISCLI_AUTH (redis-cli reads it) or REDIS_PASSWORD_FILE.
# Files: $BACKUP_DIR/redis/redis-<kind>-<stamp>.rdb and .keys ("db<n> <keys>" lines).
# Lock, state, metrics, retention, off-host copies and the schedule are pg-backup.sh's.
set -euo pipefail
export SELF=redis-backup # read by backup-lib.sh
HERE="$(cd "$(dirname "$0")" && pwd)"
LIB="$HERE"
[ -f "$LIB/backup-lib.sh" ] || LIB="$HERE/../postgres"
# shellcheck source=../postgres/backup-lib.sh
. "$LIB/backup-lib.sh"
# shellcheck source=../postgres/backup-metrics.sh
. "$LIB/backup-metrics.sh"
# shellcheck source=../postgres/backup-retention.sh
. "$LIB/backup-retention.sh"
# shellcheck source=../postgres/backup-offsite.sh
. "$LIB/backup-offsite.sh"
# shellcheck source=../postgres/backup-schedule.sh
. "$LIB/backup-schedule.sh"

if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then REDISCLI_AUTH=$(cat "$REDIS_PASSWORD_FILE"); export REDISCLI_AUTH; fi
cli() { redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" "$@"; }

# "db0 12" lines from INFO keyspace (keys only; expiring keys may leave before the load).
keyspace() { tr -d '\r' | sed -nE 's/^(db[0-9]+):keys=([0-9]+),.*/\1 \2/p' | sort; }

cmd_verify() {
    local rdb=$1 want=${2:-${1%.rdb}.keys} scratch got pid
    [ -s "$rdb" ] || { log "$rdb is missing or empty"; return 1; }
    redis-check-rdb "$rdb" >/dev/null 2>&1 || { log "$(basename "$rdb"): redis-check-rdb rejects it"; return 1; }
    scratch=$(mktemp -d "${SCRATCH_DIR:-${TMPDIR:-/tmp}}/redis-verify.XXXXXX")
    cp "$rdb" "$scratch/dump.rdb"
    redis-server --port 0 --unixsocket "$scratch/s" --dir "$scratch" --dbfilename dump.rdb --appendonly no --save '' \
        --maxmemory "${SCRATCH_MAXMEMORY:-0}" --daemonize no >"$scratch/log" 2>&1 &
    pid=$!
    local i
    for i in $(seq 1 120); do redis-cli -s "$scratch/s" ping >/dev/null 2>&1 && break; sleep 0.5; done
    got=$(redis-cli -s "$scratch/s" info keyspace 2>/dev/null | keyspace || true)
    redis-cli -s "$scratch/s" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$scratch"
    [ "$i" -lt 120 ] || { log "$(basename "$rdb"): the scratch server did not start"; return 1; }
    if [ -f "$want" ] && [ "$got" != "$(sort "$want")" ]; then
        log "warning: $(basename "$rdb") loads with keys '$(tr '\n' ' ' <<<"$got")'; the server had '$(tr '\n' ' ' <"$want")' just before the copy"
    fi
    log "ok $(basename "$rdb"): loads into a scratch server ($(echo "$got" | awk '{s += $2} END {print s + 0}') keys)"
}

cmd_run() {
    local kind=${1:-manual} stamp now base failed=0
    case "$kind" in hourly | weekly | manual) ;; *) die "kind must be hourly, weekly or manual (got '$kind')" ;; esac
    take_lock
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    now=$(date -u +%s)
    base="$BACKUP_DIR/redis/redis-$kind-$stamp"
    mkdir -p "$BACKUP_DIR/redis"
    if cli info keyspace | keyspace >"$base.keys.partial" && cli --rdb "$base.rdb.partial" >/dev/null 2>&1 &&
        cmd_verify "$base.rdb.partial" "$base.keys.partial"; then
        chmod 0600 "$base.rdb.partial" "$base.keys.partial"
        mv "$base.keys.partial" "$base.keys"
        mv "$base.rdb.partial" "$base.rdb"
        put_state "redis-$kind.ok" "redis $kind $now $(stat -c %s "$base.rdb")" || failed=1
        basename "$base"
        # The off-host copy is part of the run: its failure is the run's failure.
        if offsite_enabled; then offsite_copy_run "$stamp" || failed=1; fi
    else
        rm -f "$base.rdb.partial" "$base.keys.partial"
        log "FAILED redis ($kind): not counted as a backup"
        failed=1
    fi
    put_state failed "$failed" || failed=1
    write_metrics || failed=1
    return "$failed"
}

cmd_list() { backup_ids redis rdb; }

# The drill: the newest backup checked again by cmd_verify.
cmd_drill() { drill_newest redis rdb cmd_verify; }

trap 'exit 0' TERM INT
case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    verify) shift; cmd_verify "$@" ;;
    drill) cmd_drill ;;
    prune) shift; cmd_prune "$@" ;;
    loop) schedule_loop ;;
    list) cmd_list ;;
    metrics) take_lock; write_metrics ;;
    fetch) [ $# -eq 2 ] || die "usage: redis-backup.sh fetch <backup id> < age-identity-file"
        offsite_fetch "$2" redis ;;
    *) echo "usage: redis-backup.sh run [hourly|weekly|manual] | verify <file.rdb> | drill | prune [--now EPOCH] | loop | list | metrics | fetch <id>" >&2; exit 2 ;;
esac
