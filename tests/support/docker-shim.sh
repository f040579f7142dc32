#!/usr/bin/env bash
# A stand-in for the docker CLI in the tests of scripts/host/*.sh (tests/host-scripts.test.ts):
# the scripts run unchanged, and the work they give a container is done by this machine's own
# tools (nginx, promtool, openssl, psql, tar, sh) on real files. Needs root (mount namespaces).
#
#   run [--rm] [-i] [--network N] [-u U] [--name X] [--log-driver D] [-e NAME] [--env-file F]
#       [-v SRC:DST[:ro]]... [--entrypoint E] IMAGE [ARG...]
#       The container: this machine's root seen through an overlay (its writes vanish), in a
#       private mount namespace, /tmp empty, each volume bound at its container path (a named
#       volume is $SHIM_VOLUMES/<name>, created on first use), chrooted; --network none adds a
#       private network namespace. -e variables pass through (this environment is inherited).
#       IMAGE is ignored: the host's tools stand in for the image's.
#   exec [-i] NAME CMD...   CMD runs here (the test's own server stands for the container NAME),
#                           with $SHIM_EXEC_PATH first on PATH (wrappers that point at it).
#   restart NAME            recorded only.
# Every call is appended to $SHIM_LOG, one line each.
set -euo pipefail

inside() { # STATE N MOUNT... N ENV... CMD...: in the new namespaces
    local state=$1 n=$2 root=$1/root m src rest dst mode
    shift 2
    mkdir -p "$state/upper" "$state/work" "$root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$state/upper,workdir=$state/work" "$root"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs tmpfs "$root/tmp"
    while [ "$n" -gt 0 ]; do
        m=$1
        shift
        n=$((n - 1))
        src=${m%%:*} rest=${m#*:}
        dst=${rest%%:*} mode=${rest#*:}
        case $src in /*) ;; *) src=$SHIM_VOLUMES/$src ;; esac
        mkdir -p "$src" "$root$dst"
        mount --bind "$src" "$root$dst"
        if [ "$mode" = ro ]; then mount -o remount,bind,ro "$root$dst"; fi
    done
    local envs=()
    n=$1
    shift
    while [ "$n" -gt 0 ]; do envs+=("$1"); shift; n=$((n - 1)); done
    exec chroot "$root" env "${envs[@]}" "$@"
}

run() {
    local net=() mounts=() envs=() entry="" line state rc
    while [ $# -gt 0 ]; do
        case $1 in
            --rm | -i) shift ;;
            --network)
                if [ "$2" = none ]; then net=(-n); fi
                shift 2
                ;;
            -u | --name | --log-driver | -e) shift 2 ;;
            --env-file)
                while IFS= read -r line || [ -n "$line" ]; do envs+=("$line"); done <"$2"
                shift 2
                ;;
            -v) mounts+=("$2"); shift 2 ;;
            --entrypoint) entry=$2; shift 2 ;;
            -*) echo "docker shim: unsupported option $1" >&2; exit 2 ;;
            *) break ;;
        esac
    done
    shift # the image
    if [ -n "$entry" ]; then set -- "$entry" "$@"; fi
    state=$(mktemp -d)
    rc=0
    unshare -m --propagation private "${net[@]}" "$0" __inside "$state" "${#mounts[@]}" "${mounts[@]}" "${#envs[@]}" "${envs[@]}" "$@" || rc=$?
    rm -rf "$state"
    return "$rc"
}

if [ "${1:-}" = __inside ]; then
    shift
    inside "$@"
fi
printf '%s\n' "$*" >>"${SHIM_LOG:-/dev/null}"
case ${1:-} in
    run) shift; run "$@" ;;
    exec)
        shift
        if [ "$1" = -i ]; then shift; fi
        shift
        PATH=${SHIM_EXEC_PATH:+$SHIM_EXEC_PATH:}$PATH exec "$@"
        ;;
    restart) ;;
    *) echo "docker shim: unsupported command ${1:-}" >&2; exit 2 ;;
esac
