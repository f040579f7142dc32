#!/usr/bin/env bash
# Ensure a local Docker engine is installed and running (idempotent).
#
#   - installs Debian's docker.io (dockerd, containerd, runc, iptables) when
#     dockerd is missing; a docker *client* alone (e.g. /usr/local/bin/docker)
#     is not enough;
#   - starts the daemon when `docker info` does not answer: through systemd if
#     systemd is PID 1, otherwise `dockerd` in the background with its log in
#     $DOCKERD_LOG;
#   - waits (bounded by $DOCKERD_WAIT seconds) until it answers and prints the
#     storage driver.
#
# Needs root (or sudo) for the install/start steps. Works on Debian 12.
# Env: DOCKERD_LOG (default /var/log/hostplane-dockerd.log), DOCKERD_WAIT (60),
#      DOCKERD_EXTRA_ARGS (extra flags for a background dockerd),
#      HOSTPLANE_ENGINE=built: start the engine scripts/engine/build.sh built (dockerd, containerd,
#      runc, docker-proxy from ${HOSTPLANE_ENGINE_DIR:-~/.cache/hostplane/engine}/bin, first on
#      PATH) instead of Debian's docker.io; only iptables is installed from Debian then. CI runs
#      this (.ci/run); put that bin/ first on PATH in the caller too, for the matching CLI.
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/hostplane-dockerd.log}"
DOCKERD_WAIT="${DOCKERD_WAIT:-60}"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { echo "[docker-engine] $*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    log "not root and no sudo: cannot install/start dockerd"; fi
fi

docker_ok() { $SUDO docker info >/dev/null 2>&1; }

ENGINE_BIN="${HOSTPLANE_ENGINE_DIR:-$HOME/.cache/hostplane/engine}/bin"
if [ "${HOSTPLANE_ENGINE:-}" = built ]; then
  [ -x "$ENGINE_BIN/dockerd" ] || { log "HOSTPLANE_ENGINE=built but $ENGINE_BIN/dockerd is missing (run scripts/engine/build.sh)"; exit 1; }
  export PATH="$ENGINE_BIN:$PATH"
  if ! command -v iptables >/dev/null 2>&1; then
    apt-cache policy iptables 2>/dev/null | grep -q 'Candidate: [0-9]' || $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends iptables >/dev/null
  fi
fi

# 1. Install the engine if the daemon binary is missing.
if ! command -v dockerd >/dev/null 2>&1; then
  log "dockerd not found; installing Debian docker.io"
  export DEBIAN_FRONTEND=noninteractive
  # apt lists may be absent/stale on a fresh VM.
  if ! apt-cache policy docker.io 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    $SUDO apt-get update -qq
  fi
  $SUDO apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
fi
command -v docker >/dev/null 2>&1 || { log "no docker client after install"; exit 1; }

# 2. Start the daemon if it does not answer.
if docker_ok; then
  log "daemon already answering"
else
  if [ "${HOSTPLANE_ENGINE:-}" != built ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    log "starting docker via systemd"
    $SUDO systemctl start docker || log "systemctl start docker failed"
  fi
  if ! docker_ok && ! pgrep -x dockerd >/dev/null 2>&1; then
    log "starting dockerd in the background (log: $DOCKERD_LOG)"
    # A stale pidfile from a killed daemon blocks a new start.
    if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
      $SUDO rm -f /var/run/docker.pid
    fi
    # containerd is started by dockerd itself when no system containerd runs.
    # shellcheck disable=SC2086
    $SUDO mkdir -p "$(dirname "$DOCKERD_LOG")"
    # systemd makes / a shared mount on real hosts; minimal VMs/containers leave it private, and then
    # node-exporter's `/:/host:ro,rslave` mount fails ("/ is not a shared or slave mount").
    if [ "$(findmnt -no PROPAGATION / 2>/dev/null)" = private ]; then $SUDO mount --make-rshared / || log "could not make / rshared"; fi
    $SUDO env PATH="$PATH" sh -c "nohup dockerd ${DOCKERD_EXTRA_ARGS:-} >>'$DOCKERD_LOG' 2>&1 </dev/null &"
  fi
  # 3. Wait, bounded.
  i=0
  until docker_ok; do
    i=$((i + 1))
    if [ "$i" -gt "$DOCKERD_WAIT" ]; then
      log "dockerd did not answer within ${DOCKERD_WAIT}s; last log lines:"
      $SUDO tail -n 30 "$DOCKERD_LOG" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 1
  done
  log "daemon up after ~${i}s"
fi

driver="$($SUDO docker info --format '{{.Driver}}' 2>/dev/null || true)"
version="$($SUDO docker version --format '{{.Server.Version}}' 2>/dev/null || true)"
echo "docker engine ${version:-?} running; storage driver: ${driver:-unknown}"
if [ "${HOSTPLANE_ENGINE:-}" = built ]; then
  want="$("$ENGINE_BIN/dockerd" --version | sed -n 's/^Docker version \([^,]*\),.*/\1/p')"
  # A daemon that was already running (a developer machine) is kept, not replaced: say so.
  [ "$version" = "$want" ] || log "warning: HOSTPLANE_ENGINE=built ($want) but the running daemon is ${version:-unknown}; stop it to use the built one"
fi
if [ "$driver" = "vfs" ]; then
  log "warning: vfs storage driver (no overlay support?) - builds will be slow and large"
fi
