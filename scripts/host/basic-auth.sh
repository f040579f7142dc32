#!/usr/bin/env bash
# Basic auth for the proxy's admin routes, one-shot step of components/proxy.ts (it runs this text
# through bash with one call of `basic_auth` after it): one htpasswd file per alias, user admin,
# into the auth volume, which is emptied first (a route that lost basic auth loses its file).
#
#   basic_auth IMAGE VOLUME AUTH_DIR ALIAS...
#
# The bcrypt hash of the i-th ALIAS (0-based) comes in $HTPASSWD_<i>: never on a command line.
set -euo pipefail

basic_auth() {
    local image=$1 volume=$2 dir=$3 i=0 alias var
    shift 3
    auth_tmp=$(mktemp -d)
    trap 'rm -rf "$auth_tmp"' EXIT
    for alias in "$@"; do
        var=HTPASSWD_$i
        printf 'admin:%s\n' "${!var}" >"$auth_tmp/$alias.htpasswd"
        i=$((i + 1))
    done
    # nginx's workers read these at request time; they hold bcrypt hashes, not passwords.
    chmod 755 "$auth_tmp"
    chmod 644 "$auth_tmp"/* 2>/dev/null || true
    # shellcheck disable=SC2016 # $1 expands in the container's shell
    tar -C "$auth_tmp" -c . | docker run --rm -i -v "$volume:$dir" --entrypoint sh "$image" -c 'find "$1" -mindepth 1 -delete; tar -x -C "$1"' sh "$dir"
}
