#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Restores one database from a hostplane backup, the way the write-ups did it by hand, minus
# the mistakes: nothing is dropped until the backup has been restored into a scratch server and
# checked, and a safety backup of the current database has been taken.
#
#   pg-restore.sh <backup id or .dump path> [database]
#
# Steps: 1. the backup restores completely into a scratch server and its row counts match its
# manifest (pg-verify.sh; else exit 2, nothing changed: a truncated or corrupt dump is caught
# here, not after the DROP); 2. safety backup of the current database (kind "safety", verified the
# same way); 3. terminate sessions, drop and recreate the database with its previous owner;
# 4. pg_restore. On a failed restore it exits 3 and prints the command that puts the safety
# backup back. Holds the backup lock throughout, so no scheduled run dumps a half-restored database.
# Stopping and restarting the apps, migrations and health checks are done by
# `npm run ops -- restore`, which calls this inside the backup container.
# Connection: PGHOST, PGPORT, PGUSER (a superuser), PGPASSFILE; BACKUP_DIR as for pg-backup.sh.
set -euo pipefail
export SELF=pg-restore # read by backup-lib.sh
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=backup-lib.sh
. "$HERE/backup-lib.sh"

[ $# -ge 1 ] || { echo "usage: pg-restore.sh <backup id or path> [database]" >&2; exit 2; }
arg=$1
if [ -f "$arg" ]; then file=$arg; else
    id=${arg%.dump}
    db_guess=${id%-*}
    db_guess=${db_guess%-*}
    file="$BACKUP_DIR/$db_guess/$id.dump"
fi
base=$(basename "$file" .dump)
db=${2:-$(b=${base%-*}; echo "${b%-*}")}

# 1. Check the backup before touching anything.
[ -f "$file" ] || { log "backup $arg not found (looked for $file); nothing was changed"; exit 2; }
[ -s "$file" ] || { log "backup $file is empty; nothing was changed"; exit 2; }
if ! pg_restore --list "$file" >/dev/null 2>&1; then
    log "backup $file is not a readable pg_dump archive (corrupt or truncated); nothing was changed"
    exit 2
fi
if ! bash "$HERE/pg-verify.sh" "$file"; then
    log "backup $file does not restore cleanly into a scratch server (corrupt or truncated); nothing was changed"
    exit 2
fi
take_lock

q() { psql -X -v ON_ERROR_STOP=1 -At -d postgres "$@"; }
exists=$(q -c "SELECT 1 FROM pg_database WHERE datname = '$db'")
owner=$(q -c "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$db'")
owner=${owner:-postgres}

# 2. Safety backup of what is there now.
safety=""
if [ "$exists" = 1 ]; then
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$BACKUP_DIR/$db"
    safety="$BACKUP_DIR/$db/$db-safety-$stamp.dump"
    pg_dump -Fc -d "$db" -f "$safety.partial"
    if ! bash "$HERE/pg-verify.sh" "$safety.partial"; then
        rm -f "$safety.partial"
        log "the safety backup of $db does not restore into a scratch server; stopping here, nothing was changed"
        exit 2
    fi
    mv "$safety.partial" "$safety"
    chmod 0600 "$safety"
    log "safety backup: $(basename "$safety" .dump)"
fi

# 3. Recreate the database with its owner.
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
q -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
q -c "CREATE DATABASE \"$db\" OWNER \"$owner\"" >/dev/null

# 4. Restore; objects end up owned by the database owner, as the app's migrations expect.
if ! pg_restore --exit-on-error --no-owner --role="$owner" -d "$db" "$file"; then
    log "restore of $base into $db FAILED"
    if [ -n "$safety" ]; then
        log "the database is in an unknown state; to go back to how it was before: pg-restore.sh $(basename "$safety" .dump) $db"
    fi
    exit 3
fi
log "restored $base into $db (owner $owner)${safety:+; safety backup $(basename "$safety" .dump) kept}"
