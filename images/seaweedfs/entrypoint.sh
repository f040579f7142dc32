#!/bin/bash
# The official image's entrypoint, in this image's words: the first argument picks the role and
# its data-directory defaults; any other command runs weed with the arguments as given.
set -euo pipefail
role="${1:-}"
[ "$#" -eq 0 ] || shift
case "$role" in
  master) exec /usr/bin/weed -logtostderr=true master -mdir=/data -volumePreallocate -volumeSizeLimitMB=1024 "$@" ;;
  volume) exec /usr/bin/weed -logtostderr=true volume -dir=/data -max=0 "$@" ;;
  server) exec /usr/bin/weed -logtostderr=true server -dir=/data -volume.max=0 -master.volumePreallocate -master.volumeSizeLimitMB=1024 "$@" ;;
  filer) exec /usr/bin/weed -logtostderr=true filer "$@" ;;
  s3) exec /usr/bin/weed -logtostderr=true s3 "$@" ;;
  "") exec /usr/bin/weed ;;
  *) exec /usr/bin/weed "$role" "$@" ;;
esac
