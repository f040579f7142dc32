#!/usr/bin/env bash
# An app's migration job, one-shot step of components/migration.ts: runs to completion before the
# app's new revision starts; a non-zero exit (or the timeout) fails `pulumi up` with the job's
# last 40 log lines. The app's env and secrets never become the environment of this shell (a name
# like BASH_ENV or DOCKER_HOST would run code on, or redirect, the machine running `pulumi up`):
# they come on stdin in docker's --env-file format (render/migration.ts envFileContent), go to a
# 0600 file for `docker run --env-file`, which is removed on exit.
#
#   migrate NAME NETWORK TIMEOUT IMAGE COMMAND... < env-file
set -euo pipefail

migrate() {
    local name=$1 network=$2 limit=$3 image=$4
    shift 4
    umask 077
    migrate_env=$(mktemp)
    trap 'rm -f "$migrate_env"' EXIT
    cat >"$migrate_env"
    timeout "$limit" docker run --rm --name "$name-migrate-$$" --network "$network" --log-driver none --env-file "$migrate_env" "$image" "$@" 2>&1 | tail -n 40
}
