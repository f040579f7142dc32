#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# RabbitMQ backups for hostplane: the broker's definitions (vhosts, users with password hashes,
# permissions, policies, exchanges, queues, bindings) exported as JSON with rabbitmqctl. Messages
# are not backed up: queues are transport, not storage. A definitions file counts once it parses
# as JSON (jq, when the image has it; else a structural check) with the broker's top-level keys.
#
#   rabbitmq-backup.sh run [hourly|weekly|manual]   export, check, copy off-host, record metrics
#   rabbitmq-backup.sh restore <file.json>          import into the running broker (additive)
#   rabbitmq-backup.sh drill                        check the newest export again
#   rabbitmq-backup.sh prune [--now EPOCH]          retention, locally and off-host
#   rabbitmq-backup.sh loop                         the sidecar's schedule (backup-schedule.sh)
#   rabbitmq-backup.sh list | metrics | fetch <id> < identity
#
# Connection: the management HTTP API when RABBITMQ_API_URL is set (the sidecar: the broker's
# http://<alias>:15672 as RABBITMQ_USER with the password in RABBITMQ_PASSWORD_FILE, handed to curl
# as a config file on a pipe, never on a command line); else rabbitmqctl's own (RABBITMQ_NODENAME,
# the Erlang cookie). Files: $BACKUP_DIR/rabbitmq/rabbitmq-<kind>-<stamp>.json. Lock, state,
# metrics, retention, off-host copies and the schedule are pg-backup.sh's.
set -euo pipefail
export SELF=rabbitmq-backup # read by backup-lib.sh
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

ctl() { rabbitmqctl ${RABBITMQ_NODENAME:+-n "$RABBITMQ_NODENAME"} -q "$@"; }
api() {
    local path=$1; shift
    curl -fsS --max-time 120 -K <(printf 'user = "%s:%s"\n' "${RABBITMQ_USER:-hostplane}" "$(cat "$RABBITMQ_PASSWORD_FILE")") "$@" "${RABBITMQ_API_URL%/}$path"
}
export_definitions() {
    if [ -n "${RABBITMQ_API_URL:-}" ]; then api /api/definitions -o "$1"; else ctl export_definitions "$1" >/dev/null; fi
}
import_definitions() {
    if [ -n "${RABBITMQ_API_URL:-}" ]; then api /api/definitions -H 'content-type: application/json' --data-binary "@$1" -o /dev/null
    else ctl import_definitions "$1"; fi
}

# A definitions export: JSON whose top level has the broker's sections.
check_definitions() {
    local f=$1
    [ -s "$f" ] || { log "$f is missing or empty"; return 1; }
    if command -v jq >/dev/null 2>&1; then
        jq -e 'type == "object" and has("rabbit_version") and (.vhosts | type) == "array" and (.users | type) == "array"' "$f" >/dev/null 2>&1 && return 0
        log "$(basename "$f") is not a RabbitMQ definitions export (jq)"; return 1
    fi
    if ! grep -q '"rabbit_version"' "$f" || ! grep -q '"vhosts"' "$f" || ! grep -q '"users"' "$f"; then
        log "$(basename "$f") is not a RabbitMQ definitions export"; return 1
    fi
    tail -c 2 "$f" | grep -q '}' || { log "$(basename "$f") is truncated"; return 1; }
}

cmd_run() {
    local kind=${1:-manual} stamp now f failed=0
    case "$kind" in hourly | weekly | manual) ;; *) die "kind must be hourly, weekly or manual (got '$kind')" ;; esac
    take_lock
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    now=$(date -u +%s)
    f="$BACKUP_DIR/rabbitmq/rabbitmq-$kind-$stamp.json"
    mkdir -p "$BACKUP_DIR/rabbitmq"
    if export_definitions "$f.partial" && check_definitions "$f.partial"; then
        chmod 0600 "$f.partial"
        mv "$f.partial" "$f"
        put_state "rabbitmq-$kind.ok" "rabbitmq $kind $now $(stat -c %s "$f")" || failed=1
        basename "$f" .json
        # The off-host copy is part of the run: its failure is the run's failure.
        if offsite_enabled; then offsite_copy_run "$stamp" || failed=1; fi
    else
        rm -f "$f.partial"
        log "FAILED rabbitmq definitions ($kind)"
        failed=1
    fi
    put_state failed "$failed" || failed=1
    write_metrics || failed=1
    return "$failed"
}

cmd_restore() {
    local f=$1
    check_definitions "$f" || { log "nothing was imported"; exit 2; }
    import_definitions "$f"
    log "imported $(basename "$f")"
}

cmd_list() { backup_ids rabbitmq json; }

# The drill: the newest backup checked again by check_definitions.
cmd_drill() { drill_newest rabbitmq json check_definitions; }

trap 'exit 0' TERM INT
case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    restore) [ $# -eq 2 ] || { echo "usage: rabbitmq-backup.sh restore <file.json>" >&2; exit 2; }; cmd_restore "$2" ;;
    drill) cmd_drill ;;
    prune) shift; cmd_prune "$@" ;;
    loop) schedule_loop ;;
    list) cmd_list ;;
    metrics) take_lock; write_metrics ;;
    fetch) [ $# -eq 2 ] || die "usage: rabbitmq-backup.sh fetch <backup id> < age-identity-file"
        offsite_fetch "$2" rabbitmq ;;
    *) echo "usage: rabbitmq-backup.sh run [hourly|weekly|manual] | restore <file.json> | drill | prune [--now EPOCH] | loop | list | metrics | fetch <id>" >&2; exit 2 ;;
esac
