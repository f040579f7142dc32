#!/usr/bin/env bash
# PostgreSQL backups for hostplane: runs in the backup sidecar container (the postgres image,
# so pg_dump matches the server) and by hand through `npm run ops -- backup-now`.
#
#   pg-backup.sh run [hourly|weekly|manual]   dump every database, verify, record metrics
#   pg-backup.sh prune [--now EPOCH]          apply retention (by the time in each file name)
#   pg-backup.sh loop                         forever: hourly dump at each full hour, weekly on
#                                             Sunday 00:00 UTC, prune after each run
#   pg-backup.sh list                         backup ids, newest first
#
# Connection: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSFILE).
# Files: $BACKUP_DIR/<db>/<db>-<kind>-<YYYYmmddTHHMMSSZ>.dump (pg_dump custom format); the id of
# a backup is its file name without .dump. A dump is written to .partial, checked
# (non-empty, `pg_restore --list` reads it) and only then renamed: a half-written file never
# counts as a backup.
# Metrics: $METRICS_FILE, read by node-exporter's textfile collector (the sidecar mounts the
# collector's directory; see render/monitoring/backup-hook.ts for the contract with the
# BackupTooOld/BackupFailing alert rules). Every series carries env/service (HOSTPLANE_ENV,
# HOSTPLANE_SERVICE) and, per database and kind:
#   hostplane_backup_last_success_timestamp_seconds, hostplane_backup_max_age_seconds (scheduled
#   kinds only: the rule fires when the newest backup is older), hostplane_backup_last_size_bytes;
#   and hostplane_backup_last_run_failed (1 when the latest run failed).
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/backups}
STATE_DIR=${STATE_DIR:-$BACKUP_DIR/metrics/.state}
METRICS_FILE=${METRICS_FILE:-$BACKUP_DIR/metrics/hostplane_backup.prom}
HOURLY_KEEP_DAYS=${HOURLY_KEEP_DAYS:-7}
WEEKLY_KEEP_DAYS=${WEEKLY_KEEP_DAYS:-90}
# How old the newest backup of a kind may get: one missed run plus the dump's own time.
HOURLY_MAX_AGE_SECONDS=${HOURLY_MAX_AGE_SECONDS:-7500}
WEEKLY_MAX_AGE_SECONDS=${WEEKLY_MAX_AGE_SECONDS:-$((8 * 86400))}
LABELS="env=\"${HOSTPLANE_ENV:-}\",service=\"${HOSTPLANE_SERVICE:-}\""

log() { printf '%s pg-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

databases() {
    psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn AND datname <> 'postgres' ORDER BY 1"
}

# Verifies a dump the way a restore would read it: non-empty and a readable table of contents.
verify_dump() {
    local f=$1
    [ -s "$f" ] || { log "$f is empty"; return 1; }
    pg_restore --list "$f" >/dev/null 2>&1 || { log "$f is not a readable pg_dump archive"; return 1; }
}

# Rewrites $METRICS_FILE from the per-database state files, atomically (temp file + mv in the
# same directory): the collector never reads half a file.
write_metrics() {
    mkdir -p "$STATE_DIR" "$(dirname "$METRICS_FILE")"
    local tmp states=() db kind ts size
    tmp="$(dirname "$METRICS_FILE")/.$(basename "$METRICS_FILE").$$"
    for s in "$STATE_DIR"/*.ok; do [ -e "$s" ] && states+=("$s"); done
    series() { # series METRIC FIELD: one line per state file (FIELD: ts, size or maxage)
        for s in "${states[@]}"; do
            read -r db kind ts size <"$s"
            local v
            case $2 in ts) v=$ts ;; size) v=$size ;; maxage)
                case $kind in hourly) v=$HOURLY_MAX_AGE_SECONDS ;; weekly) v=$WEEKLY_MAX_AGE_SECONDS ;; *) continue ;; esac ;;
            esac
            echo "$1{$LABELS,database=\"$db\",kind=\"$kind\"} $v"
        done
    }
    {
        echo "# HELP hostplane_backup_last_success_timestamp_seconds Unix time of the newest verified backup."
        echo "# TYPE hostplane_backup_last_success_timestamp_seconds gauge"
        series hostplane_backup_last_success_timestamp_seconds ts
        echo "# HELP hostplane_backup_max_age_seconds Age after which the newest backup of a scheduled kind is overdue."
        echo "# TYPE hostplane_backup_max_age_seconds gauge"
        series hostplane_backup_max_age_seconds maxage
        echo "# HELP hostplane_backup_last_size_bytes Size of the newest verified backup."
        echo "# TYPE hostplane_backup_last_size_bytes gauge"
        series hostplane_backup_last_size_bytes size
        echo "# HELP hostplane_backup_last_run_failed 1 when the latest backup run failed."
        echo "# TYPE hostplane_backup_last_run_failed gauge"
        echo "hostplane_backup_last_run_failed{$LABELS} $(cat "$STATE_DIR/failed" 2>/dev/null || echo 0)"
    } >"$tmp"
    chmod 0644 "$tmp"
    mv "$tmp" "$METRICS_FILE"
}

# Dumps one database; prints the verified file's path.
dump_one() {
    local db=$1 kind=$2 stamp=$3
    local dir="$BACKUP_DIR/$db" file="$BACKUP_DIR/$db/$db-$kind-$stamp.dump"
    mkdir -p "$dir"
    if ! pg_dump -Fc -d "$db" -f "$file.partial" || ! verify_dump "$file.partial"; then
        rm -f "$file.partial"
        return 1
    fi
    mv "$file.partial" "$file"
    chmod 0600 "$file"
    echo "$file"
}

cmd_run() {
    local kind=${1:-manual}
    case "$kind" in hourly | weekly | manual | safety) ;; *) die "kind must be hourly, weekly or manual (got '$kind')" ;; esac
    local stamp failed=0 now
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    now=$(date -u +%s)
    mkdir -p "$STATE_DIR"
    local dbs
    dbs=$(databases) || { echo 1 >"$STATE_DIR/failed"; write_metrics; die "cannot list databases (is the server up?)"; }
    [ -n "$dbs" ] || log "no databases to back up"
    for db in $dbs; do
        local file
        if file=$(dump_one "$db" "$kind" "$stamp"); then
            local size
            size=$(stat -c %s "$file")
            echo "$db $kind $now $size" >"$STATE_DIR/$db-$kind.ok"
            log "ok $(basename "$file" .dump) ($size bytes)"
            echo "$(basename "$file" .dump)"
        else
            failed=1
            log "FAILED $db ($kind)"
        fi
    done
    # Roles and their passwords are cluster-wide: keep them next to the dumps.
    mkdir -p "$BACKUP_DIR/globals"
    pg_dumpall --globals-only -f "$BACKUP_DIR/globals/globals-$stamp.sql" && chmod 0600 "$BACKUP_DIR/globals/globals-$stamp.sql" || failed=1
    echo "$failed" >"$STATE_DIR/failed"
    write_metrics
    [ -z "${S3_BUCKET:-}" ] || copy_to_s3 "$stamp" || failed=1
    return "$failed"
}

copy_to_s3() {
    command -v aws >/dev/null || { log "S3 copy skipped: no aws CLI in this image"; return 1; }
    local stamp=$1
    find "$BACKUP_DIR" -name "*-$stamp.dump" -print0 | while IFS= read -r -d '' f; do
        aws --endpoint-url "$S3_ENDPOINT" s3 cp --only-show-errors "$f" "s3://$S3_BUCKET/${f#"$BACKUP_DIR"/}"
    done
}

cmd_prune() {
    local now
    now=$(date -u +%s)
    if [ "${1:-}" = "--now" ]; then now=$2; fi
    # File-name stamps (YYYYmmddTHHMMSSZ) sort like the times they encode: compare as strings.
    local hourly_cut weekly_cut
    hourly_cut=$(date -u -d "@$((now - HOURLY_KEEP_DAYS * 86400))" +%Y%m%dT%H%M%SZ)
    weekly_cut=$(date -u -d "@$((now - WEEKLY_KEEP_DAYS * 86400))" +%Y%m%dT%H%M%SZ)
    local removed=0 kept=0
    while IFS= read -r -d '' f; do
        local base kind stamp
        base=${f##*/}
        base=${base%.dump}
        stamp=${base##*-}
        kind=${base%-*}
        kind=${kind##*-}
        [[ $stamp =~ ^[0-9]{8}T[0-9]{6}Z$ ]] || continue
        if { [ "$kind" = hourly ] && [[ $stamp < $hourly_cut ]]; } || { [ "$kind" = weekly ] && [[ $stamp < $weekly_cut ]]; }; then
            rm -f "$f"
            removed=$((removed + 1))
        else
            kept=$((kept + 1))
        fi
    done < <(find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name '*.dump' -print0)
    # Globals follow the hourly retention.
    find "$BACKUP_DIR/globals" -name 'globals-*.sql' -mmin +$((HOURLY_KEEP_DAYS * 1440)) -delete 2>/dev/null || true
    log "prune: kept $kept, removed $removed (hourly > ${HOURLY_KEEP_DAYS}d, weekly > ${WEEKLY_KEEP_DAYS}d; manual and safety kept)"
}

cmd_list() {
    find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name '*.dump' -printf '%f\n' | sed 's/\.dump$//' | awk -F- '{print $NF" "$0}' | sort -r | cut -d' ' -f2-
}

cmd_loop() {
    log "started: hourly kept ${HOURLY_KEEP_DAYS}d, weekly kept ${WEEKLY_KEEP_DAYS}d, into $BACKUP_DIR"
    write_metrics
    # A new installation gets its first backup now, not up to an hour later.
    if ! compgen -G "$STATE_DIR/*-hourly.ok" >/dev/null; then
        cmd_run hourly >/dev/null || log "first run failed; will retry next hour"
    fi
    while true; do
        local now next
        now=$(date -u +%s)
        next=$(((now / 3600 + 1) * 3600))
        sleep $((next - now)) &
        wait $! # keeps SIGTERM prompt
        local kind=hourly
        [ "$(date -u +%u%H)" = "700" ] && kind=weekly
        cmd_run "$kind" >/dev/null || log "run failed; will retry next hour"
        cmd_prune || true
    done
}

trap 'exit 0' TERM INT
case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    prune) shift; cmd_prune "$@" ;;
    loop) cmd_loop ;;
    list) cmd_list ;;
    *) echo "usage: pg-backup.sh run [hourly|weekly|manual] | prune [--now EPOCH] | loop | list" >&2; exit 2 ;;
esac
