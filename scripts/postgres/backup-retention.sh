#!/usr/bin/env bash
# Retention for hostplane's backups, one rule for the local files and the off-host copies.
# Sourced after backup-lib.sh.
#
# Reads backup ids (<name>-<kind>-<YYYYmmddTHHMMSSZ>, one a line) and prints those to delete:
#   hourly/weekly  older than HOURLY_/WEEKLY_KEEP_DAYS, except the newest HOURLY_/WEEKLY_KEEP_MIN
#                  of each name: a floor that weeks of failed runs cannot prune away;
#   manual/safety  older than MANUAL_KEEP_DAYS;
#   globals        (roles dumps, id globals-<stamp>) like hourly.
# Ids are compared by the time in their name, never by file mtimes (copies keep their names).
retention_victims() {
    local now=$1
    local hourly_cut weekly_cut manual_cut
    hourly_cut=$(date -u -d "@$((now - HOURLY_KEEP_DAYS * 86400))" +%Y%m%dT%H%M%SZ)
    weekly_cut=$(date -u -d "@$((now - WEEKLY_KEEP_DAYS * 86400))" +%Y%m%dT%H%M%SZ)
    manual_cut=$(date -u -d "@$((now - MANUAL_KEEP_DAYS * 86400))" +%Y%m%dT%H%M%SZ)
    awk -v hc="$hourly_cut" -v wc="$weekly_cut" -v mc="$manual_cut" -v hmin="$HOURLY_KEEP_MIN" -v wmin="$WEEKLY_KEEP_MIN" '
        # Key each id by name+kind, newest first (sort -r below), and count the floor per key.
        {
            id = $0; n = split(id, p, "-"); stamp = p[n]
            if (length(stamp) != 16 || stamp !~ /^[0-9]+T[0-9]+Z$/) next # mawk: no {n} intervals
            if (p[1] == "globals" && n == 2) { kind = "globals"; key = "globals" }
            else if (n >= 3) { kind = p[n - 1]; key = substr(id, 1, length(id) - length(stamp) - 1) }
            else next
            seen[key]++
            if (kind == "hourly" || kind == "globals") { if (seen[key] > hmin && stamp < hc) print id }
            else if (kind == "weekly") { if (seen[key] > wmin && stamp < wc) print id }
            else if (kind == "manual" || kind == "safety") { if (stamp < mc) print id }
        }' < <(awk -F- '{print $NF" "$0}' | sort -r | cut -d' ' -f2-)
}

# Local retention: dumps with their row manifests, roles dumps, and every .partial (the caller
# holds the run lock, so no run is writing one: any .partial is left over from a crash).
prune_local() {
    local now=$1 ids victims removed partials
    ids=$( { find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 \( -name '*.dump' -o -name '*.rdb' -o -name '*.json' \) -printf '%f\n' | sed -E 's/\.(dump|rdb|json)$//'
             if [ -d "$BACKUP_DIR/globals" ]; then find "$BACKUP_DIR/globals" -maxdepth 1 -name 'globals-*.sql' -printf '%f\n' | sed 's/\.sql$//'; fi; } )
    victims=$(printf '%s\n' "$ids" | retention_victims "$now")
    removed=$(grep -c . <<<"$victims" || true)
    # One pass over the files: each file whose name minus its extension is a victim id goes.
    find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -type f ! -name '*.partial' -printf '%p\n' |
        awk -v victims="$victims" 'BEGIN { n = split(victims, v, "\n"); for (i = 1; i <= n; i++) if (v[i] != "") gone[v[i]] = 1 }
            { f = $0; sub(/.*\//, "", f); sub(/\.[^.]*$/, "", f); if (f in gone) print $0 }' |
        xargs -r -d '\n' rm -f
    partials=$(find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name '*.partial' -print -delete | wc -l)
    log "prune: removed $removed backups and $partials stale .partial files (hourly > ${HOURLY_KEEP_DAYS}d beyond the newest $HOURLY_KEEP_MIN, weekly > ${WEEKLY_KEEP_DAYS}d beyond the newest $WEEKLY_KEEP_MIN, manual/safety > ${MANUAL_KEEP_DAYS}d)"
}
