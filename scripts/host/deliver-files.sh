#!/usr/bin/env bash
# The one delivery step for host files (proxy, monitoring services): render -> candidate ->
# check with the real tool -> promote. components/delivery.ts runs this text through bash with one
# call of `deliver` after it, the rendered files' writer on stdin; the reload is the component's
# own step, after its container.
#
#   deliver IMAGE ROOT REL CHECK_AT CHECK [docker run options...] < writer
#
# In a throwaway container of IMAGE (the service's own image: its own tool checks the files), as
# root, without network, with the host directory ROOT mounted at /hp:
#   1. candidate: /hp/REL.next is emptied and the writer runs in it (shell that writes each file
#      into the current directory, components/host-files.ts). When CHECK_AT is not under /hp the
#      candidate is also mounted there: where the service's config names its own files;
#   2. check: CHECK runs in CHECK_AT; if it fails, nothing else happens and the live files stay;
#   3. promote: /hp/REL is cleared and refilled from the candidate, never replaced: a running
#      service's bind mount holds the directory's inode.
set -euo pipefail

deliver() {
    local image=$1 root=$2 rel=$3 at=$4 check=$5
    shift 5
    local mount=()
    case $at in
        /hp/*) ;;
        *) mount=(-v "$root/$rel.next:$at") ;;
    esac
    {
        printf '%s\n' "set -e" "mkdir -p /hp/$rel.next /hp/$rel" "cd $at" "find . -mindepth 1 -delete"
        cat
        printf '%s\n' "$check" "find /hp/$rel -mindepth 1 -delete" "cp -a /hp/$rel.next/. /hp/$rel/"
    } | docker run --rm -i --network none -u 0 -v "$root:/hp" "${mount[@]}" "$@" --entrypoint sh "$image" -s
}
