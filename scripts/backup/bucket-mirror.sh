#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Object store buckets mirrored off the host for hostplane: every object of each bucket of the
# stack's S3 object store (MinIO, SeaweedFS: any S3 endpoint) copied to the off-host target, each
# one encrypted with age and checked there (size and MD5), as every other backup file
# (backup-offsite.sh). Incremental: a state file per bucket remembers each object's size, hash
# and time as the source listed them; only new and changed objects travel. Objects deleted at the
# source stay in the mirror (a copy, not a sync: an emptied bucket does not empty its backup).
#
#   bucket-mirror.sh run [hourly|weekly|manual]   mirror every bucket, record metrics
#   bucket-mirror.sh restore <bucket> [<to-bucket>] < identity
#                                               copy the mirror back into the object store,
#                                               decrypted with the age identity on stdin
#   bucket-mirror.sh drill                      one mirrored object per bucket fetched back and
#                                               compared with its source (needs AGE_IDENTITY_FILE)
#   bucket-mirror.sh loop                       the sidecar's schedule (backup-schedule.sh)
#
#   MIRROR_SOURCE     rclone remote of the object store, e.g. source: (rclone.conf holds both
#                     remotes and both sets of credentials: a secret file, never the environment)
#   MIRROR_BUCKETS    space-separated bucket names (default: every bucket the source lists)
#   OFFSITE_*, AGE_RECIPIENTS, RCLONE_CONFIG as backup-offsite.sh; objects land under
#   $OFFSITE_REMOTE/buckets/<bucket>/<key>.age
set -euo pipefail
export SELF=bucket-mirror # read by backup-lib.sh
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

SOURCE=${MIRROR_SOURCE:-source:}
TAB=$'\t'

buckets() {
    if [ -n "${MIRROR_BUCKETS:-}" ]; then tr ' ' '\n' <<<"$MIRROR_BUCKETS" | grep .; else rclone lsf --dirs-only "$SOURCE" | sed 's#/$##'; fi
}

# "<key>\t<size> <hash> <time>" of every object of a bucket, sorted by key.
listing() {
    rclone lsf -R --files-only --format psht --hash MD5 --separator "$TAB" "$SOURCE$1" |
        awk -F'\t' '{ print $1 "\t" $2 " " $3 " " $4 }' | LC_ALL=C sort
}

# Mirrors one bucket; prints "<objects> <bytes>" of the bucket as mirrored.
mirror_bucket() {
    local bucket=$1 state="$BACKUP_DIR/buckets/$1.state" now tmp="$BACKUP_DIR/buckets/.object.partial"
    local key sig copied=0 failed=0 objects=0 bytes=0
    mkdir -p "$BACKUP_DIR/buckets"
    touch "$state"
    now=$(listing "$bucket") || { log "cannot list bucket $bucket"; return 1; }
    while IFS="$TAB" read -r -u 3 key sig; do
        [ -n "$key" ] || continue
        objects=$((objects + 1)); bytes=$((bytes + ${sig%% *}))
        grep -qxF "$key$TAB$sig" "$state" && continue
        if rclone copyto "$SOURCE$bucket/$key" "$tmp" && offsite_put "$tmp" "buckets/$bucket/$key"; then
            # The state line only after the verified upload: a failed object is retried next run.
            { K="$key" awk -F'\t' '$1 != ENVIRON["K"]' "$state"; printf '%s\t%s\n' "$key" "$sig"; } >"$state.new" && mv "$state.new" "$state"
            copied=$((copied + 1))
        else
            log "bucket $bucket: object $key FAILED"
            failed=1
        fi
        rm -f "$tmp"
    done 3<<<"$now"
    log "bucket $bucket: $objects objects ($bytes bytes), $copied copied this run"
    echo "$objects $bytes"
    return "$failed"
}

cmd_run() {
    local kind=${1:-manual} now failed=0 bucket got
    case "$kind" in hourly | weekly | manual) ;; *) die "kind must be hourly, weekly or manual (got '$kind')" ;; esac
    take_lock
    now=$(date -u +%s)
    if ! offsite_enabled || ! offsite_preflight; then
        log "FAILED: bucket mirrors need an off-host target (OFFSITE_REMOTE)"; failed=1
    else
        for bucket in $(buckets); do
            if got=$(mirror_bucket "$bucket"); then
                put_state "bucket-$bucket-$kind.ok" "bucket-$bucket $kind $now ${got#* }" || failed=1
            else
                failed=1
            fi
        done
    fi
    put_state failed "$failed" || failed=1
    write_metrics || failed=1
    return "$failed"
}

# restore BUCKET [TO]: every mirrored object decrypted back into the object store.
cmd_restore() {
    local bucket=$1 to=${2:-$1} identity path n=0 tmp="$BACKUP_DIR/buckets/.restore.partial"
    offsite_enabled || die "no off-host target configured (OFFSITE_REMOTE)"
    identity=$(cat) # kept in memory only
    mkdir -p "$BACKUP_DIR/buckets"
    while IFS= read -r path; do
        [ -n "$path" ] || continue
        rclone copyto "$OFFSITE_REMOTE/buckets/$bucket/$path" "$tmp.age" || die "cannot download $path"
        if [ "${OFFSITE_ENCRYPT:-1}" = 1 ]; then
            age -d -i <(printf '%s\n' "$identity") -o "$tmp" "$tmp.age" || { rm -f "$tmp" "$tmp.age"; die "cannot decrypt $path with the identity given"; }
        else
            mv "$tmp.age" "$tmp"
        fi
        rclone copyto "$tmp" "$SOURCE$to/${path%.age}" || die "cannot upload ${path%.age} to $to"
        rm -f "$tmp" "$tmp.age"
        n=$((n + 1))
    done < <(rclone lsf -R --files-only "$OFFSITE_REMOTE/buckets/$bucket")
    log "restored $n objects of $bucket into $to"
}

cmd_list() { buckets; }

# The drill: one mirrored object of each bucket (the first by name) fetched back, decrypted with the
# identity in AGE_IDENTITY_FILE (a drill host's key; the sidecar has none by default) and compared
# with the size and MD5 the source listed when it was mirrored (the source may have changed since).
drill_bucket() {
    local bucket=$1 key size md5 tmp="$BACKUP_DIR/buckets/.drill.partial" ok=1
    local sig=""
    IFS="$TAB" read -r key sig < <(LC_ALL=C sort "$BACKUP_DIR/buckets/$bucket.state" 2>/dev/null | sed -n 1p) || true
    [ -n "${key:-}" ] || { log "drill: bucket $bucket has no mirrored object yet"; return 0; }
    read -r size md5 _ <<<"$sig"
    # (rclone copyto of a missing object copies nothing and exits 0: the file must exist.)
    if rclone copyto "$OFFSITE_REMOTE/buckets/$bucket/$key.age" "$tmp.age" && [ -s "$tmp.age" ] && age -d -i "$AGE_IDENTITY_FILE" -o "$tmp" "$tmp.age" &&
        [ "$(stat -c %s "$tmp")" = "$size" ] && { [ -z "$md5" ] || [ "$(md5sum <"$tmp" | cut -d' ' -f1)" = "$md5" ]; }; then ok=0; fi
    rm -f "$tmp" "$tmp.age"
    return "$ok"
}

cmd_drill() {
    take_lock
    local failed=0 bucket
    [ -n "${AGE_IDENTITY_FILE:-}" ] || { log "drill: no AGE_IDENTITY_FILE (the private key is not on the host): skipped"; return 0; }
    for bucket in $(buckets); do
        if drill_bucket "$bucket"; then put_state "bucket-$bucket.drill" "bucket-$bucket $(date -u +%s)" || failed=1
        else failed=1; log "drill FAILED: bucket $bucket"; fi
    done
    put_state drill-failed "$failed" || failed=1
    write_metrics || failed=1
    return "$failed"
}

trap 'exit 0' TERM INT
case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    restore) [ $# -ge 2 ] || die "usage: bucket-mirror.sh restore <bucket> [<to-bucket>] < age-identity-file"; cmd_restore "$2" "${3:-$2}" ;;
    drill) cmd_drill ;;
    loop) schedule_loop ;;
    list) cmd_list ;;
    metrics) take_lock; write_metrics ;;
    *) echo "usage: bucket-mirror.sh run [hourly|weekly|manual] | restore <bucket> [<to>] | drill | loop | list | metrics" >&2; exit 2 ;;
esac
