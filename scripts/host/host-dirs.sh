#!/usr/bin/env bash
# Host directories and secret files of the monitoring services, one-shot steps of
# components/monitoring-steps.ts (it runs this text through bash with one call after it). The
# work happens in a throwaway container of the service's image (root, no network): the machine
# running Pulumi may be another than the Docker host.
#
#   secret_files IMAGE HOST_DIR DIR UID FILE=VAR...
#       HOST_DIR mounted at DIR (owned by UID, 0500); each FILE written from $VAR (owned by UID,
#       0400). Values travel as environment variables of docker run, never on a command line.
#   host_dir IMAGE ROOT REL
#       mkdir -p ROOT/REL on the Docker host.
set -euo pipefail

secret_files() {
    local image=$1 host=$2 dir=$3 uid=$4 pair
    shift 4
    local env=()
    for pair in "$@"; do env+=(-e "${pair#*=}"); done
    # The container's shell is POSIX sh: the value of each variable by name through eval, after
    # checking the name is a plain identifier.
    # shellcheck disable=SC2016 # expands in the container's shell
    docker run --rm -i --network none -u 0 "${env[@]}" -v "$host:$dir" --entrypoint sh "$image" -s "$dir" "$uid" "$@" <<'SCRIPT'
set -eu
umask 077
dir=$1 uid=$2
shift 2
mkdir -p "$dir"
chown "$uid:$uid" "$dir"
chmod 0500 "$dir"
for pair in "$@"; do
    file=$dir/${pair%%=*} var=${pair#*=}
    case $var in '' | [0-9]* | *[!A-Za-z0-9_]*) echo "secret_files: bad variable name $var" >&2; exit 1 ;; esac
    eval "printf '%s' \"\${$var}\"" >"$file"
    chown "$uid:$uid" "$file"
    chmod 0400 "$file"
done
SCRIPT
}

host_dir() {
    docker run --rm --network none -u 0 -v "$2:/hp" --entrypoint mkdir "$1" -p "/hp/$3"
}
