#!/usr/bin/env bash
# Shared by hostplane's backup scripts (pg-backup.sh, pg-restore.sh, redis-backup.sh,
# rabbitmq-backup.sh): logging, the run lock, state files, the metrics file and retention.
# Sourced, never run. The caller sets SELF (its name in log lines) before sourcing.
#
# State ($STATE_DIR), one small file each, written atomically (temp + rename):
#   <db>-<kind>.ok   "<db> <kind> <unix time> <size>"   newest verified backup of that kind
#   failed           "0" or "1"                        the latest backup run
#   <db>.drill       "<db> <unix time>"                 newest successful restore drill
#   drill-failed     "0" or "1"                        the latest restore drill
# A state file that cannot be read or parsed (disk full, truncated) counts as a failure in the
# metrics: the metrics never go quiet because the state is broken.
# shellcheck disable=SC2034 # the variables below are read by the scripts that source this file

BACKUP_DIR=${BACKUP_DIR:-/backups}
STATE_DIR=${STATE_DIR:-$BACKUP_DIR/metrics/.state}
METRICS_FILE=${METRICS_FILE:-$BACKUP_DIR/metrics/hostplane_backup.prom}
LOCK_FILE=${LOCK_FILE:-$BACKUP_DIR/.lock}
LOCK_WAIT_SECONDS=${LOCK_WAIT_SECONDS:-3000}
HOURLY_KEEP_DAYS=${HOURLY_KEEP_DAYS:-7}
WEEKLY_KEEP_DAYS=${WEEKLY_KEEP_DAYS:-90}
# The floor: the newest N verified backups of each kind stay, however old they are.
HOURLY_KEEP_MIN=${HOURLY_KEEP_MIN:-3}
WEEKLY_KEEP_MIN=${WEEKLY_KEEP_MIN:-2}
MANUAL_KEEP_DAYS=${MANUAL_KEEP_DAYS:-30}
# How old the newest backup of a kind may get: one missed run plus the dump's own time.
HOURLY_MAX_AGE_SECONDS=${HOURLY_MAX_AGE_SECONDS:-7500}
WEEKLY_MAX_AGE_SECONDS=${WEEKLY_MAX_AGE_SECONDS:-$((8 * 86400))}
DRILL_EVERY_HOURS=${DRILL_EVERY_HOURS:-24}
DRILL_MAX_AGE_SECONDS=${DRILL_MAX_AGE_SECONDS:-$((DRILL_EVERY_HOURS * 3600 + 7200))}
LABELS="env=\"${HOSTPLANE_ENV:-}\",service=\"${HOSTPLANE_SERVICE:-}\""
STAMP_RE='^[0-9]{8}T[0-9]{6}Z$'

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${SELF:-backup}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Takes the run lock on fd 9 for the rest of the process. A second run waits (saying so) instead
# of failing; after LOCK_WAIT_SECONDS it gives up with exit 75 and leaves the metrics alone: a
# busy lock is not a failed backup.
take_lock() {
    mkdir -p "$(dirname "$LOCK_FILE")"
    exec 9>>"$LOCK_FILE"
    flock -n 9 && return 0
    log "another backup run holds $LOCK_FILE; waiting up to ${LOCK_WAIT_SECONDS}s"
    flock -w "$LOCK_WAIT_SECONDS" 9 && return 0
    log "gave up after ${LOCK_WAIT_SECONDS}s: another backup run is still going; nothing was done"
    exit 75
}

# put_state NAME CONTENT: atomic; a failure (disk full) is logged and leaves the old file.
put_state() {
    mkdir -p "$STATE_DIR"
    local tmp="$STATE_DIR/.$1.$$"
    if printf '%s\n' "$2" >"$tmp" && mv "$tmp" "$STATE_DIR/$1"; then return 0; fi
    rm -f "$tmp"
    log "cannot write state $STATE_DIR/$1"
    return 1
}

# Prints one 0|1 flag file's value, or 1 when it is missing-but-expected, empty or garbage.
flag_value() {
    local v
    [ -e "$1" ] || { echo "${2:-0}"; return; }
    v=$(head -c 16 "$1" 2>/dev/null | tr -d '[:space:]') || v=""
    case $v in 0 | 1) echo "$v" ;; *) echo 1 ;; esac
}

# backup_ids DIR EXT: the ids of the verified backups in $BACKUP_DIR/DIR, newest first (by the
# time in their name).
backup_ids() {
    [ -d "$BACKUP_DIR/$1" ] || return 0
    find "$BACKUP_DIR/$1" -maxdepth 1 -name "*.$2" -printf '%f\n' | sed "s/\.$2\$//" | awk -F- '{print $NF" "$0}' | sort -r | cut -d' ' -f2-
}
