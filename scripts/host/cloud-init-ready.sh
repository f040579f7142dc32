#!/bin/sh
# Readiness of a new Hetzner Cloud server: components/hosts/hcloud.ts runs this text over SSH
# (the server's own shell, so POSIX sh) with one call of `ready` after it, before anything touches
# Docker there. cloud-init's exit 2 means finished with recoverable errors (deprecation warnings
# in newer cloud-init): still done. The marker is written by the last step of the cloud-init
# (render/cloud-init.ts), so its absence means that step never ran.
#
#   ready MARKER     prints Docker's version when the server is ready; exits 1 with the reason if not
set -u

ready() {
    rc=0
    cloud-init status --wait >/dev/null || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
        cloud-init status --long >&2
        echo "hostplane: cloud-init failed (exit $rc)" >&2
        exit 1
    fi
    test -f "$1" || {
        echo "hostplane: cloud-init finished but $1 is missing: see /var/log/cloud-init-output.log" >&2
        exit 1
    }
    docker info --format '{{.ServerVersion}}'
}
