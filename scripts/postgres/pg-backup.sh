#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# PostgreSQL backups for hostplane: runs in the backup sidecar container (built FROM the server's
# image, so pg_dump matches the server) and by hand through `npm run ops -- backup-now`.
#
#   pg-backup.sh run [hourly|weekly|manual]   dump every database, prove each restores, copy
#                                             off-host, record metrics
#   pg-backup.sh drill                        restore the newest backup of each database into a
#                                             scratch server and check it (the daily drill)
#   pg-backup.sh prune [--now EPOCH]          apply retention, locally and off-host
#   pg-backup.sh loop                         forever: hourly dump each full hour, weekly on Sunday
#                                             00:00 UTC, prune after each run, drill every
#                                             DRILL_EVERY_HOURS
#   pg-backup.sh list                         backup ids, newest first
#   pg-backup.sh metrics                      rewrite the metrics file from the state
#   pg-backup.sh fetch <id> < identity        download an off-host backup and decrypt it with the
#                                             age identity read from stdin (never stored)
#
# Connection: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSFILE).
# Files: $BACKUP_DIR/<db>/<id>.dump (pg_dump custom format) and <id>.rows (row count of every
# table, counted in the snapshot pg_dump used), id = <db>-<kind>-<YYYYmmddTHHMMSSZ>; roles in
# $BACKUP_DIR/globals/globals-<stamp>.sql. A dump is written to .partial and counts as a backup
# only after pg-verify.sh restored it into a scratch server and every row count matched.
# Runs hold a lock (flock): a manual run during a scheduled one waits instead of failing.
# Metrics and state: backup-metrics.sh; retention: backup-retention.sh; off-host: backup-offsite.sh;
# the schedule of `loop`: backup-schedule.sh.
set -euo pipefail
export SELF=pg-backup # read by backup-lib.sh
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=backup-lib.sh
. "$HERE/backup-lib.sh"
# shellcheck source=backup-metrics.sh
. "$HERE/backup-metrics.sh"
# shellcheck source=backup-retention.sh
. "$HERE/backup-retention.sh"
# shellcheck source=backup-offsite.sh
. "$HERE/backup-offsite.sh"
# shellcheck source=backup-schedule.sh
. "$HERE/backup-schedule.sh"

databases() {
    psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn AND datname <> 'postgres' ORDER BY 1"
}

# pg_dump in a snapshot exported by a session that then counts every table's rows in that same
# snapshot: the manifest is exactly what the dump holds, even while the apps keep writing.
dump_with_counts() {
    local db=$1 out=$2 snap line
    coproc SNAP { psql -X -At -q -v ON_ERROR_STOP=1 -d "$db" 2>&1; }
    local to=${SNAP[1]} from=${SNAP[0]} pid=$SNAP_PID
    printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" "SELECT pg_export_snapshot();" 1>&"$to"
    read -r -t 120 snap 0<&"$from" || snap=""
    if ! [[ $snap =~ ^[0-9A-F]+-[0-9A-F]+-[0-9]+$ ]]; then
        log "cannot export a snapshot of $db: $snap"; kill "$pid" 2>/dev/null || true; return 1
    fi
    if ! pg_dump -Fc --snapshot="$snap" -d "$db" -f "$out.dump.partial"; then kill "$pid" 2>/dev/null || true; return 1; fi
    printf '%s\n' "$(cat "$HERE/count-rows.sql")" "SELECT '__end__';" 1>&"$to"
    local ended=0
    while read -r -t 86400 line 0<&"$from"; do
        if [ "$line" = __end__ ]; then ended=1; break; fi
        printf '%s\n' "$line"
    done >"$out.rows.partial"
    printf 'COMMIT;\n\\q\n' 1>&"$to" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ "$ended" = 1 ] || { log "counting rows of $db failed: $(tail -2 "$out.rows.partial")"; return 1; }
}

# Dumps one database; prints the verified dump's path. The dump and its manifest get their final
# names only once the scratch restore matched every row count.
dump_one() {
    local db=$1 kind=$2 stamp=$3
    local base="$BACKUP_DIR/$db/$db-$kind-$stamp"
    mkdir -p "$BACKUP_DIR/$db"
    if dump_with_counts "$db" "$base" && bash "$HERE/pg-verify.sh" "$base.dump.partial" "$base.rows.partial"; then
        chmod 0600 "$base.dump.partial" "$base.rows.partial"
        mv "$base.rows.partial" "$base.rows"
        mv "$base.dump.partial" "$base.dump"
        echo "$base.dump"
        return 0
    fi
    rm -f "$base.dump.partial" "$base.rows.partial"
    return 1
}

# Roles and their passwords are cluster-wide: kept (and copied off-host) next to the dumps.
dump_globals() {
    local f="$BACKUP_DIR/globals/globals-$1.sql"
    mkdir -p "$BACKUP_DIR/globals"
    pg_dumpall --globals-only -f "$f.partial" && [ -s "$f.partial" ] && chmod 0600 "$f.partial" && mv "$f.partial" "$f" && return 0
    rm -f "$f.partial"
    return 1
}

cmd_run() {
    local kind=${1:-manual}
    case "$kind" in hourly | weekly | manual | safety) ;; *) die "kind must be hourly, weekly or manual (got '$kind')" ;; esac
    take_lock
    local stamp failed=0 now dbs db file size
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    now=$(date -u +%s)
    if ! dbs=$(databases); then
        put_state failed 1 || true
        write_metrics || true
        die "cannot list databases (is the server up?)"
    fi
    [ -n "$dbs" ] || log "no databases to back up"
    for db in $dbs; do
        if file=$(dump_one "$db" "$kind" "$stamp"); then
            size=$(stat -c %s "$file")
            put_state "$db-$kind.ok" "$db $kind $now $size" || failed=1
            log "ok $(basename "$file" .dump) ($size bytes, restore-verified)"
            basename "$file" .dump
        else
            failed=1
            log "FAILED $db ($kind): not counted as a backup"
        fi
    done
    dump_globals "$stamp" || { failed=1; log "FAILED roles dump (pg_dumpall --globals-only)"; }
    # The off-host copy is part of the run: its failure is the run's failure, in the metrics too.
    if offsite_enabled; then offsite_copy_run "$stamp" || failed=1; fi
    put_state failed "$failed" || failed=1
    write_metrics || failed=1
    return "$failed"
}

# The newest backup of each database, restored into a scratch server and checked.
cmd_drill() {
    take_lock
    local failed=0 dir db newest now
    now=$(date -u +%s)
    for dir in "$BACKUP_DIR"/*/; do
        db=$(basename "$dir")
        case $db in globals | metrics) continue ;; esac
        newest=$(find "$dir" -maxdepth 1 -name "$db-*.dump" -printf '%f\n' | grep -v -- '-safety-' | awk -F- '{print $NF" "$0}' | sort -r | head -1 | cut -d' ' -f2-)
        [ -n "$newest" ] || continue
        if bash "$HERE/pg-verify.sh" "$dir$newest"; then
            put_state "$db.drill" "$db $now" || failed=1
            log "drill ok: $db from ${newest%.dump}"
        else
            failed=1
            log "drill FAILED: $db from ${newest%.dump} does not restore"
        fi
    done
    put_state drill-failed "$failed" || failed=1
    write_metrics || failed=1
    return "$failed"
}

cmd_list() {
    find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name '*.dump' -printf '%f\n' | sed 's/\.dump$//' | awk -F- '{print $NF" "$0}' | sort -r | cut -d' ' -f2-
}

cmd_loop() { schedule_loop; }

trap 'exit 0' TERM INT
case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    drill) cmd_drill ;;
    metrics) take_lock; write_metrics ;;
    fetch) [ $# -eq 2 ] || die "usage: pg-backup.sh fetch <backup id> < age-identity-file"
        id=$2; db=${id%-*}; db=${db%-*}
        offsite_fetch "$id" "$db" ;;
    prune) shift; cmd_prune "$@" ;;
    loop) cmd_loop ;;
    list) cmd_list ;;
    *) echo "usage: pg-backup.sh run [hourly|weekly|manual] | drill | prune [--now EPOCH] | loop | list | metrics | fetch <id>" >&2; exit 2 ;;
esac
