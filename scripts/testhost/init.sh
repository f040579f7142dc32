#!/bin/bash
# PID 1 of a test host (installed as /sbin/testhost-init by testhost.sh): starts its dockerd and
# sshd, reaps orphans, and on SIGTERM stops both (dockerd stops its containers) and exits.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /run/sshd /var/log
read -r -a dockerd_args </etc/testhost-dockerd-args || true
dockerd "${dockerd_args[@]}" >>/var/log/dockerd.log 2>&1 &
dockerd_pid=$!
/usr/sbin/sshd -D -e >>/var/log/sshd.log 2>&1 &
sshd_pid=$!

stop() {
  kill -TERM "$sshd_pid" "$dockerd_pid" 2>/dev/null
  wait "$dockerd_pid" 2>/dev/null
  exit 0
}
trap stop TERM INT
# Bash reaps every child, adopted orphans included, while it waits.
while :; do
  sleep 3600 &
  wait $! || true
done
