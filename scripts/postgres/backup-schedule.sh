#!/usr/bin/env bash
# The schedule of every hostplane backup sidecar (PostgreSQL, Redis, RabbitMQ): a backup run each
# full hour (weekly on Sunday 00:00 UTC), retention after each run, and a restore drill every
# DRILL_EVERY_HOURS. Sourced after backup-lib.sh and backup-metrics.sh by a script that defines
# cmd_run KIND, cmd_prune and cmd_drill; each runs in a subshell, so a failure (or its exit 75
# on a busy lock) is logged and the loop goes on.

# Retention, locally and off-host (the same rule for both).
cmd_prune() {
    local now
    now=$(date -u +%s)
    if [ "${1:-}" = "--now" ]; then now=$2; fi
    take_lock
    prune_local "$now"
    if offsite_enabled; then offsite_prune "$now"; fi
}

# drill_newest NAME EXT CHECK: the newest $BACKUP_DIR/NAME/*.EXT checked again by CHECK FILE (a
# scratch load for Redis, a parse for RabbitMQ), recorded as NAME's drill in the metrics.
drill_newest() {
    take_lock
    local newest failed=0
    newest=$(backup_ids "$1" "$2" | sed -n 1p)
    if [ -z "$newest" ]; then
        log "drill: no $1 backup yet"
    elif "$3" "$BACKUP_DIR/$1/$newest.$2"; then
        put_state "$1.drill" "$1 $(date -u +%s)" || failed=1
        log "drill ok: $1 from $newest"
    else
        failed=1
        log "drill FAILED: $newest"
    fi
    put_state drill-failed "$failed" || failed=1
    write_metrics || failed=1
    return "$failed"
}

# Drill when none succeeded or the last one is older than DRILL_EVERY_HOURS.
drill_due() {
    local last
    last=$(cat "$STATE_DIR"/*.drill 2>/dev/null | awk '{print $2}' | sort -n | head -1)
    [ -z "$last" ] || [ "$(flag_value "$STATE_DIR/drill-failed")" = 1 ] || [ $(( $(date -u +%s) - last )) -ge $((DRILL_EVERY_HOURS * 3600 - 300)) ]
}

# One pass of the schedule: the run of KIND, then retention (a drill when due comes first).
schedule_tick() {
    if drill_due; then (cmd_drill) || log "restore drill failed"; fi
    [ -n "${1:-}" ] || return 0
    (cmd_run "$1" >/dev/null) || log "run failed; will retry next hour"
    (cmd_prune --now "$(date -u +%s)") || log "prune failed"
}

schedule_loop() {
    log "started: hourly kept ${HOURLY_KEEP_DAYS}d (at least $HOURLY_KEEP_MIN), weekly ${WEEKLY_KEEP_DAYS}d (at least $WEEKLY_KEEP_MIN), drill every ${DRILL_EVERY_HOURS}h, into $BACKUP_DIR"
    (take_lock && write_metrics) || true
    # A new installation gets its first backup (and drill) now, not up to an hour later. The
    # service may answer a moment after its health check passes (RabbitMQ's management listener):
    # a failed first run is retried every FIRST_RUN_RETRY_SECONDS, FIRST_RUN_TRIES times.
    local try
    if ! compgen -G "$STATE_DIR/*-hourly.ok" >/dev/null; then
        for try in $(seq 1 "${FIRST_RUN_TRIES:-10}"); do
            (cmd_run hourly >/dev/null) && break
            log "first run failed (try $try of ${FIRST_RUN_TRIES:-10}); next try in ${FIRST_RUN_RETRY_SECONDS:-30}s"
            sleep "${FIRST_RUN_RETRY_SECONDS:-30}" &
            wait $! # keeps SIGTERM prompt
        done
    fi
    local now next kind
    schedule_tick ""
    while true; do
        now=$(date -u +%s)
        next=$(((now / 3600 + 1) * 3600))
        sleep $((next - now)) &
        wait $! # keeps SIGTERM prompt
        kind=hourly
        [ "$(date -u +%u%H)" = "700" ] && kind=weekly
        schedule_tick "$kind"
    done
}
