#!/usr/bin/env bash
# Minimal re-implementation of the official postgres image's entrypoint.
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR or VAR_FILE (not both).
file_env() {
  local var="$1" fileVar="${1}_FILE" val="${2:-}"
  if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
    echo >&2 "error: both $var and $fileVar are set (but are exclusive)"; exit 1
  fi
  if [ "${!var:-}" ]; then val="${!var}"
  elif [ "${!fileVar:-}" ]; then val="$(<"${!fileVar}")"; fi
  export "$var"="$val"
  unset "$fileVar"
}

# `docker run postgres -c foo=bar` => postgres -c foo=bar
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = 'postgres' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
    cat >&2 <<'EOM'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a
       non-empty value for the superuser, or set POSTGRES_HOST_AUTH_METHOD=trust.
EOM
    exit 1
  fi
  mkdir -p "$PGDATA"; chmod 700 "$PGDATA" 2>/dev/null || true

  # initdb
  pwfile=""
  if [ -n "$POSTGRES_PASSWORD" ]; then
    pwfile="$(mktemp)"; printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  fi
  # shellcheck disable=SC2086
  initdb --username="$POSTGRES_USER" ${pwfile:+--pwfile="$pwfile"} $POSTGRES_INITDB_ARGS
  [ -n "$pwfile" ] && rm -f "$pwfile"

  # pg_hba: local trust (inside the container), network by password.
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  { echo; echo "host all all all $auth"; } >>"$PGDATA/pg_hba.conf"

  # temporary server on the unix socket only
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  psql_cmd=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    "${psql_cmd[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<"CREATE DATABASE :\"db\";"
  fi
  psql_cmd+=(--dbname "$POSTGRES_DB")
  echo
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        # shellcheck disable=SC1090 # the image's user-supplied init scripts
        if [ -x "$f" ]; then echo "$0: running $f"; "$f"
        else echo "$0: sourcing $f"; . "$f"; fi ;;
      *.sql)    echo "$0: running $f"; "${psql_cmd[@]}" -f "$f"; echo ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | "${psql_cmd[@]}"; echo ;;
      *.sql.xz) echo "$0: running $f"; xzcat "$f" | "${psql_cmd[@]}"; echo ;;
      *)        echo "$0: ignoring $f" ;;
    esac
  done
  unset PGPASSWORD
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
fi

exec "$@"
