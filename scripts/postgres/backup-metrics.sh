#!/usr/bin/env bash
# The metrics file of hostplane's backups, read by node-exporter's textfile collector (the contract
# with the alert rules is in render/monitoring/backup-hook.ts). Sourced after backup-lib.sh.
#
# Every series carries env/service (HOSTPLANE_ENV, HOSTPLANE_SERVICE):
#   hostplane_backup_last_success_timestamp_seconds{database,kind}  newest verified backup
#   hostplane_backup_max_age_seconds{database,kind}                 hourly/weekly only
#   hostplane_backup_last_size_bytes{database,kind}
#   hostplane_backup_last_run_failed                                1: latest run failed, or the
#                                                                   state cannot be read
#   hostplane_backup_state_unreadable                               1: a state file is broken
#   hostplane_backup_metrics_updated_timestamp_seconds              each rewrite (stale = alert)
#   hostplane_restore_drill_last_success_timestamp_seconds{database}
#   hostplane_restore_drill_max_age_seconds{database}
#   hostplane_restore_drill_last_run_failed                         1: latest drill failed

# Lines "db kind ts size" of the readable backup states, and "BROKEN" for any other.
read_backup_states() {
    local s line
    for s in "$STATE_DIR"/*.ok; do
        [ -e "$s" ] || continue
        line=$(head -c 512 "$s" 2>/dev/null) || line=""
        if [[ $line =~ ^([A-Za-z0-9_.-]+)\ (hourly|weekly|manual|safety)\ ([0-9]+)\ ([0-9]+)$ ]]; then
            echo "$line"
        else
            echo BROKEN
        fi
    done
}

read_drill_states() {
    local s line
    for s in "$STATE_DIR"/*.drill; do
        [ -e "$s" ] || continue
        line=$(head -c 512 "$s" 2>/dev/null) || line=""
        if [[ $line =~ ^([A-Za-z0-9_.-]+)\ ([0-9]+)$ ]]; then echo "$line"; else echo BROKEN; fi
    done
}

metric_header() { printf '# HELP %s %s\n# TYPE %s gauge\n' "$1" "$2" "$1"; }

render_metrics() {
    local backups=$1 drills=$2 failed=$3 drill_failed=$4 db kind ts size
    metric_header hostplane_backup_last_success_timestamp_seconds "Unix time of the newest verified backup."
    while read -r db kind ts size; do echo "hostplane_backup_last_success_timestamp_seconds{$LABELS,database=\"$db\",kind=\"$kind\"} $ts"; done <<<"$backups"
    metric_header hostplane_backup_max_age_seconds "Age after which the newest backup of a scheduled kind is overdue."
    while read -r db kind ts size; do
        case $kind in hourly) echo "hostplane_backup_max_age_seconds{$LABELS,database=\"$db\",kind=\"$kind\"} $HOURLY_MAX_AGE_SECONDS" ;;
            weekly) echo "hostplane_backup_max_age_seconds{$LABELS,database=\"$db\",kind=\"$kind\"} $WEEKLY_MAX_AGE_SECONDS" ;; esac
    done <<<"$backups"
    metric_header hostplane_backup_last_size_bytes "Size of the newest verified backup."
    while read -r db kind ts size; do [ -z "$db" ] || echo "hostplane_backup_last_size_bytes{$LABELS,database=\"$db\",kind=\"$kind\"} $size"; done <<<"$backups"
    metric_header hostplane_backup_last_run_failed "1 when the latest backup run failed or the backup state cannot be read."
    echo "hostplane_backup_last_run_failed{$LABELS} $failed"
    metric_header hostplane_backup_state_unreadable "1 when a backup state file cannot be read."
    echo "hostplane_backup_state_unreadable{$LABELS} ${STATE_BROKEN:-0}"
    metric_header hostplane_backup_metrics_updated_timestamp_seconds "Unix time this file was last rewritten."
    echo "hostplane_backup_metrics_updated_timestamp_seconds{$LABELS} ${METRICS_NOW:-$(date -u +%s)}" # METRICS_NOW: tests only
    metric_header hostplane_restore_drill_last_success_timestamp_seconds "Unix time of the newest successful restore drill."
    while read -r db ts; do [ -z "$db" ] || echo "hostplane_restore_drill_last_success_timestamp_seconds{$LABELS,database=\"$db\"} $ts"; done <<<"$drills"
    metric_header hostplane_restore_drill_max_age_seconds "Age after which the newest restore drill is overdue."
    while read -r db ts; do [ -z "$db" ] || echo "hostplane_restore_drill_max_age_seconds{$LABELS,database=\"$db\"} $DRILL_MAX_AGE_SECONDS"; done <<<"$drills"
    metric_header hostplane_restore_drill_last_run_failed "1 when the latest restore drill failed."
    echo "hostplane_restore_drill_last_run_failed{$LABELS} $drill_failed"
}

# Rewrites $METRICS_FILE atomically (temp file + mv in the same directory): the collector never
# reads half a file. A failed write (disk full) keeps the previous file, whose update timestamp
# then goes stale and fires BackupMetricsStale.
write_metrics() {
    mkdir -p "$STATE_DIR" "$(dirname "$METRICS_FILE")" || true
    local tmp backups drills failed drill_failed
    backups=$(read_backup_states)
    drills=$(read_drill_states)
    STATE_BROKEN=0
    if printf '%s\n%s\n' "$backups" "$drills" | grep -qx BROKEN; then STATE_BROKEN=1; fi
    backups=$(grep -vx BROKEN <<<"$backups" || true)
    drills=$(grep -vx BROKEN <<<"$drills" || true)
    failed=$(flag_value "$STATE_DIR/failed")
    drill_failed=$(flag_value "$STATE_DIR/drill-failed")
    [ "$STATE_BROKEN" = 0 ] || failed=1
    tmp="$(dirname "$METRICS_FILE")/.$(basename "$METRICS_FILE").$$"
    if render_metrics "$backups" "$drills" "$failed" "$drill_failed" >"$tmp" 2>/dev/null && chmod 0644 "$tmp" && mv "$tmp" "$METRICS_FILE"; then
        return 0
    fi
    rm -f "$tmp"
    log "cannot write $METRICS_FILE"
    return 1
}
