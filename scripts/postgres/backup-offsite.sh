#!/usr/bin/env bash
# Off-host copies of hostplane's backups to S3-compatible storage with rclone, encrypted with age.
# Sourced after backup-lib.sh and backup-retention.sh.
#
#   OFFSITE_REMOTE      rclone path, e.g. offsite:my-bucket/prod-db (empty: no off-host copies)
#   RCLONE_CONFIG       rclone.conf holding the endpoint and the credentials (a secret file)
#   OFFSITE_ENDPOINT    the endpoint URL, checked here too: https only unless ALLOW_INSECURE=1
#   AGE_RECIPIENTS      age public keys (space-separated); the private key never reaches the host
#   OFFSITE_ENCRYPT     1 (default) or 0: 0 uploads in clear, only when written in the config
# Every object is checked after upload (size and MD5 as the store reports them); any failure
# makes the run fail, and the run's metrics are written after the copy: no silent failures.

offsite_enabled() { [ -n "${OFFSITE_REMOTE:-}" ]; }

offsite_preflight() {
    command -v rclone >/dev/null 2>&1 || { log "off-host copy: rclone is not in this image"; return 1; }
    case "${OFFSITE_ENDPOINT:-}" in
        https://*) ;;
        http://*)
            [ "${ALLOW_INSECURE:-0}" = 1 ] || { log "off-host copy: endpoint ${OFFSITE_ENDPOINT} is not https (set allowInsecure: true to accept)"; return 1; }
            log "warning: off-host endpoint ${OFFSITE_ENDPOINT} is plain http (allowInsecure)" ;;
        *) log "off-host copy: OFFSITE_ENDPOINT must be an https:// URL (got '${OFFSITE_ENDPOINT:-}')"; return 1 ;;
    esac
    if [ "${OFFSITE_ENCRYPT:-1}" = 1 ]; then
        command -v age >/dev/null 2>&1 || { log "off-host copy: age is not in this image"; return 1; }
        [ -n "${AGE_RECIPIENTS:-}" ] || { log "off-host copy: encryption is on and AGE_RECIPIENTS is empty"; return 1; }
    fi
}

# offsite_put LOCAL_FILE RELATIVE_NAME: encrypt (unless off), upload, compare size and MD5.
offsite_put() {
    local src=$1 rel=$2 obj=$1 r
    if [ "${OFFSITE_ENCRYPT:-1}" = 1 ]; then
        local args=()
        for r in $AGE_RECIPIENTS; do args+=(-r "$r"); done
        obj="$src.age.partial"
        age "${args[@]}" -o "$obj" "$src" || { rm -f "$obj"; log "off-host copy: age failed on $src"; return 1; }
        rel="$rel.age"
    fi
    local size md5 remote
    size=$(stat -c %s "$obj")
    md5=$(md5sum "$obj" | cut -d' ' -f1)
    # The check below decides; rclone's own exit status only adds its message to the log.
    rclone copyto --retries 3 --low-level-retries 3 "$obj" "$OFFSITE_REMOTE/$rel" >&2 || log "rclone copyto $rel exited non-zero"
    remote=$(rclone lsf --format sh --hash MD5 --separator ' ' "$OFFSITE_REMOTE/$rel" 2>/dev/null || true)
    [ "$obj" = "$src" ] || rm -f "$obj"
    if [ "$remote" != "$size $md5" ]; then
        log "off-host copy of $rel FAILED: local '$size $md5', remote '${remote:-missing}'"
        return 1
    fi
    log "off-host: $rel ($size bytes, md5 $md5) verified"
}

# Copies every file of one run (dumps, their row manifests, the roles dump) off the host.
offsite_copy_run() {
    local stamp=$1 f failed=0
    offsite_preflight || return 1
    while IFS= read -r -d '' f; do
        offsite_put "$f" "${f#"$BACKUP_DIR"/}" || failed=1
    done < <(find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name "*-$stamp.*" ! -name '*.partial' -print0)
    return "$failed"
}

# The same retention as the local files, applied to what the remote holds.
offsite_prune() {
    local now=$1 listing victims path id
    offsite_preflight || return 1
    listing=$(rclone lsf -R --files-only "$OFFSITE_REMOTE") || { log "off-host prune: cannot list $OFFSITE_REMOTE"; return 1; }
    victims=$(printf '%s\n' "$listing" | sed -E 's#.*/##; s/\.(dump|rows|sql|rdb|keys|json)(\.age)?$//' | sort -u | retention_victims "$now")
    [ -n "$victims" ] || return 0
    while IFS= read -r path; do
        id=${path##*/}
        id=$(sed -E 's/\.(dump|rows|sql|rdb|keys|json)(\.age)?$//' <<<"$id")
        if grep -qxF "$id" <<<"$victims"; then rclone deletefile "$OFFSITE_REMOTE/$path" || return 1; fi
    done <<<"$listing"
    log "off-host prune: removed $(grep -c . <<<"$victims") backups"
}

# offsite_fetch ID DIR: offsite_get into $BACKUP_DIR/DIR, where restore and verify find it.
offsite_fetch() {
    offsite_enabled || die "no off-host target configured (OFFSITE_REMOTE)"
    mkdir -p "$BACKUP_DIR/$2"
    offsite_get "$1" "$BACKUP_DIR/$2"
}

# offsite_get ID DEST_DIR: downloads a backup's files and decrypts them with the identity read
# from stdin (the operator's key, never stored on the host).
offsite_get() {
    local id=$1 dest=$2 path listing n=0 identity
    listing=$(rclone lsf -R --files-only --include "$id.*" "$OFFSITE_REMOTE") || return 1
    [ -n "$listing" ] || { log "backup $id is not in $OFFSITE_REMOTE"; return 1; }
    identity=$(cat) # kept in memory only; age reads it through a pipe
    while IFS= read -r path; do
        rclone copyto "$OFFSITE_REMOTE/$path" "$dest/${path##*/}.partial" || return 1
        case $path in
            *.age) age -d -i <(printf '%s\n' "$identity") -o "$dest/$(basename "$path" .age)" "$dest/${path##*/}.partial" || { log "cannot decrypt $path with the identity given"; return 1; }
                   rm -f "$dest/${path##*/}.partial" ;;
            *) mv "$dest/${path##*/}.partial" "$dest/${path##*/}" ;;
        esac
        n=$((n + 1))
    done <<<"$listing"
    log "fetched $id ($n files) into $dest"
}
