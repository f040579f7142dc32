#!/usr/bin/env bash
# Run the engine built by scripts/engine/build.sh NEXT TO a machine's running Docker engine,
# without touching it: own network namespace (own iptables, bridge, loopback ports), own
# data-root, exec-root, pidfile and socket. For trying the built engine on a shared machine;
# CI starts it as the main engine with scripts/docker-engine.sh (HOSTPLANE_ENGINE=built).
#
#   side-by-side.sh start                 start dockerd (and its containerd) in netns $NS
#   side-by-side.sh load IMAGE...         copy images from the main engine (docker save | load)
#   side-by-side.sh exec CMD...           run CMD in the netns, with /var/run/docker.sock
#                                         bind-mounted to the side engine's socket (only for CMD)
#   side-by-side.sh stop                  stop it and remove the netns (data-root is kept)
# Env: HOSTPLANE_ENGINE_DIR (built binaries), HOSTPLANE_SIDE_NS (default hpengine).
set -euo pipefail

BIN="${HOSTPLANE_ENGINE_DIR:-$HOME/.cache/hostplane/engine}/bin"
NS="${HOSTPLANE_SIDE_NS:-hpengine}"
RUN="/run/hostplane-$NS"
DATA="/var/lib/hostplane-$NS"
SOCK="$RUN/docker.sock"
LOG="/var/log/hostplane-$NS-dockerd.log"

start() {
  [ -x "$BIN/dockerd" ] || { echo "no built engine in $BIN (run scripts/engine/build.sh)" >&2; exit 1; }
  ip netns list | grep -qw "$NS" || ip netns add "$NS"
  ip netns exec "$NS" ip link set lo up
  mkdir -p "$RUN" "$DATA"
  if [ -S "$SOCK" ] && DOCKER_HOST="unix://$SOCK" "$BIN/docker" info >/dev/null 2>&1; then echo "already running"; return 0; fi
  # PATH first: dockerd finds containerd, the shim, runc and docker-proxy there, not the system's.
  # nsenter, not `ip netns exec`: that remounts /sys, which hides the cgroup mounts from dockerd.
  # Its own mount namespace with a private /opt/hostplane (HOST_ROOT, render/files.ts): stacks bind-
  # mount host directories from there (proxy config, backup metrics), and the machine's engine may
  # be running the same stack (same prefix, same paths) at the same time.
  mkdir -p "$DATA-opt" /opt/hostplane
  # shellcheck disable=SC2016 # expanded by the inner sh
  nsenter --net="/run/netns/$NS" unshare --mount --propagation slave sh -c 'mount --bind "$0" /opt/hostplane && exec "$@"' "$DATA-opt" \
    env PATH="$BIN:$PATH" setsid nohup "$BIN/dockerd" \
    --host "unix://$SOCK" --data-root "$DATA" --exec-root "$RUN/exec" --pidfile "$RUN/dockerd.pid" \
    --cgroup-parent "/hostplane-$NS" >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    DOCKER_HOST="unix://$SOCK" "$BIN/docker" info >/dev/null 2>&1 && break
    sleep 1
  done
  DOCKER_HOST="unix://$SOCK" "$BIN/docker" version --format 'side engine {{.Server.Version}} (API {{.Server.APIVersion}}) on '"$SOCK" ||
    { tail -n 30 "$LOG" >&2; exit 1; }
}

load() {
  local img
  for img in "$@"; do docker save "$img" | DOCKER_HOST="unix://$SOCK" "$BIN/docker" load -q; done
}

run_in() {
  # Its own mount namespace (slave: host mounts still reach it): the bind mount is seen by CMD only.
  # shellcheck disable=SC2016 # expanded by the inner sh
  nsenter --net="/run/netns/$NS" unshare --mount --propagation slave sh -c 'mount --bind "$1" /var/run/docker.sock && shift && exec env PATH="$0:$PATH" "$@"' \
    "$BIN" "$SOCK" "$@"
}

stop() {
  if [ -f "$RUN/dockerd.pid" ]; then
    local pid; pid=$(cat "$RUN/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  # dockerd leaves its own netns handle mounted under the exec-root.
  for m in "$RUN"/exec/netns/*; do [ -e "$m" ] && umount "$m" 2>/dev/null; done
  if ip netns list | grep -qw "$NS"; then ip netns delete "$NS"; fi
  echo "stopped (data kept in $DATA; remove it with: rm -rf $DATA $DATA-opt $RUN)"
}

case "${1:-}" in
  start) start ;;
  load) shift; load "$@" ;;
  exec) shift; run_in "$@" ;;
  stop) stop ;;
  *) sed -n '2,13p' "$0"; exit 64 ;;
esac
