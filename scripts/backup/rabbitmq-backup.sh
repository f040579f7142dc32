#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# RabbitMQ backups for hostplane: the broker's definitions (vhosts, users with password hashes,
# permissions, policies, exchanges, queues, bindings) exported as JSON with rabbitmqctl. Messages
# are not backed up: queues are transport, not storage. A definitions file counts once it parses
# as JSON with the expected top-level keys.
#
#   rabbitmq-backup.sh run [hourly|weekly|manual]   export, check, record metrics
#   rabbitmq-backup.sh restore <file.json>          import into the running broker (additive)
#
# Connection: rabbitmqctl's own (RABBITMQ_NODENAME, the Erlang cookie). Files:
# $BACKUP_DIR/rabbitmq/rabbitmq-<kind>-<stamp>.json. Lock, state, metrics and retention as
# pg-backup.sh (backup-lib.sh).
set -euo pipefail
export SELF=rabbitmq-backup # read by backup-lib.sh
HERE="$(cd "$(dirname "$0")" && pwd)"
LIB="$HERE"
[ -f "$LIB/backup-lib.sh" ] || LIB="$HERE/../postgres"
# shellcheck source=../postgres/backup-lib.sh
. "$LIB/backup-lib.sh"
# shellcheck source=../postgres/backup-metrics.sh
. "$LIB/backup-metrics.sh"

ctl() { rabbitmqctl ${RABBITMQ_NODENAME:+-n "$RABBITMQ_NODENAME"} -q "$@"; }

# A definitions export: JSON whose top level has the broker's sections.
check_definitions() {
    local f=$1
    [ -s "$f" ] || { log "$f is missing or empty"; return 1; }
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
    if ctl export_definitions "$f.partial" >/dev/null && check_definitions "$f.partial"; then
        chmod 0600 "$f.partial"
        mv "$f.partial" "$f"
        put_state "rabbitmq-$kind.ok" "rabbitmq $kind $now $(stat -c %s "$f")" || failed=1
        basename "$f" .json
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
    ctl import_definitions "$f"
    log "imported $(basename "$f")"
}

case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    restore) [ $# -eq 2 ] || { echo "usage: rabbitmq-backup.sh restore <file.json>" >&2; exit 2; }; cmd_restore "$2" ;;
    *) echo "usage: rabbitmq-backup.sh run [hourly|weekly|manual] | restore <file.json>" >&2; exit 2 ;;
esac
