#!/usr/bin/env bash
# A throwaway "remote host" for tests: its own network namespace (a veth on a bridge of ours),
# its own root filesystem (Debian 12 with openssh-server, docker.io, sudo) in its own mount, PID,
# UTS and IPC namespaces, running sshd and its own dockerd. Anything run on it (bootstrap.sh over
# SSH, containers through ssh://) writes that host's /etc, /var/lib/docker and swap file, never
# the CI machine's. It shares the kernel, so an activated swap file is kernel-wide until `down`.
#
#   testhost.sh up NAME        start (idempotent); prints the connection as KEY=value lines
#   testhost.sh info NAME      the same KEY=value lines for a running host
#   testhost.sh exec NAME CMD  run CMD as root inside the host (its root, network, PIDs)
#   testhost.sh down NAME      stop everything and remove it (idempotent)
#   testhost.sh list           running hosts
#   testhost.sh rootfs         build (or find) the cached root filesystem tarball, print its path
#
# Several hosts run at once (a Swarm cluster): each gets SUBNET.N on the bridge hpth0 (SUBNET.1
# is the CI machine), and hosts reach each other on it. No default route: a test host reaches
# only that bridge.
#
# Env: TESTHOST_SUBNET (10.213.0), TESTHOST_DIR (/var/lib/hostplane-testhost: the hosts' root
#      disks), TESTHOST_DISK_SIZE (8G, sparse), TESTHOST_CACHE (~/.cache/hostplane/testhost: rootfs tarballs, keys),
#      TESTHOST_DOCKERD (a dockerd binary to run instead of Debian's), TESTHOST_DOCKERD_ARGS
#      (extra dockerd flags), TESTHOST_AUTHORIZED_KEYS (a file of extra public keys for the user).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SUBNET="${TESTHOST_SUBNET:-10.213.0}"
HOSTS="${TESTHOST_DIR:-/var/lib/hostplane-testhost}"
CACHE="${TESTHOST_CACHE:-$HOME/.cache/hostplane/testhost}"
RUN=/run/hostplane-testhost
BRIDGE=hpth0
USER_NAME=hostplane
# Bump when the rootfs recipe changes in a way the hash below cannot see.
RECIPE_VERSION=1
PACKAGES=(openssh-server docker.io iptables sudo curl ca-certificates unattended-upgrades procps iproute2 kmod)

log() { echo "testhost: $*" >&2; }
die() { log "$*"; exit 1; }

# --- root filesystem ---------------------------------------------------------------------------
rootfs_tarball() {
  local base hash
  base="$(bash "$REPO/images/build.sh" --base-tarball)"
  hash="$( {
    basename "$base"
    echo "$RECIPE_VERSION ${PACKAGES[*]}"
    sed -n '/^build_rootfs()/,/^}/p' "${BASH_SOURCE[0]}"
  } | sha256sum | cut -c1-16)"
  local tarball="$CACHE/rootfs-$hash.tar"
  if [ ! -s "$tarball" ]; then
    build_rootfs "$base" "$tarball"
  fi
  echo "$tarball"
}

# build_rootfs BASE_TAR OUT_TAR: Debian's packages installed with apt-get in a chroot.
build_rootfs() {
  local base="$1" out="$2" r t0=$SECONDS
  mkdir -p "$CACHE"
  r="$(mktemp -d "$CACHE/build.XXXXXX")"
  log "building the test-host rootfs in $r (log: $CACHE/rootfs-build.log)"
  tar --numeric-owner -xf "$base" -C "$r"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  # Private mounts (unshare) vanish with the chroot's apt-get, also when it fails.
  # shellcheck disable=SC2016 # expanded by the inner sh
  if ! unshare --mount --propagation private sh -c '
      mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
      chroot "$1" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $2"
    ' sh "$r" "${PACKAGES[*]}" >"$CACHE/rootfs-build.log" 2>&1; then
    tail -n 30 "$CACHE/rootfs-build.log" >&2
    rm -rf "$r"
    die "rootfs build failed"
  fi
  # Each host gets its own SSH host keys and machine id at `up`.
  rm -f "$r"/etc/ssh/ssh_host_* "$r"/var/lib/apt/lists/* 2>/dev/null || true
  : >"$r/etc/resolv.conf"
  : >"$r/etc/machine-id"
  tar --numeric-owner --xattrs -C "$r" -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  rm -rf "$r"
  log "rootfs built in $((SECONDS - t0))s -> $out ($(du -m "$out" | cut -f1) MB)"
}

# --- per-host state ----------------------------------------------------------------------------
check_name() { [[ "${1:-}" =~ ^[a-z][a-z0-9]{0,9}$ ]] || die "NAME must match ^[a-z][a-z0-9]{0,9}\$ (got '${1:-}')"; }
netns() { echo "hpth-$1"; }
state() { echo "$RUN/$1"; }
# The PID (in the CI machine's view) of the host's init, PID 1 of its namespace; empty if down.
init_pid() {
  local f
  f="$(state "$1")/unshare.pid"
  [ -f "$f" ] || return 0
  local up
  up="$(cat "$f")"
  [ -d "/proc/$up" ] || return 0
  awk '{print $1}' "/proc/$up/task/$up/children" 2>/dev/null || true
}
running() { [ -n "$(init_pid "$1")" ]; }
# started NAME: its unshare process is alive (running may lag behind by the fork).
started() { local f; f="$(state "$1")/unshare.pid"; [ -f "$f" ] && [ -d "/proc/$(cat "$f")" ]; }

# allocate_index NAME: this host's last address octet, kept while it runs.
allocate_index() {
  local s i taken
  s="$(state "$1")"
  if [ -f "$s/index" ]; then cat "$s/index"; return; fi
  taken="$(cat "$RUN"/*/index 2>/dev/null || true)"
  for i in $(seq 2 254); do
    if ! grep -qx "$i" <<<"$taken"; then echo "$i" >"$s/index"; echo "$i"; return; fi
  done
  die "no free address in $SUBNET.0/24"
}

info() {
  local s idx
  s="$(state "$1")"
  idx="$(cat "$s/index")"
  echo "TESTHOST_NAME=$1"
  echo "TESTHOST_ADDRESS=$SUBNET.$idx"
  echo "TESTHOST_PORT=22"
  echo "TESTHOST_USER=$USER_NAME"
  echo "TESTHOST_KEY=$CACHE/keys/$1/id_ed25519"
  echo "TESTHOST_ROOTFS=$HOSTS/$1/rootfs"
  echo "TESTHOST_GATEWAY=$SUBNET.1"
}

# --- network -----------------------------------------------------------------------------------
ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$SUBNET.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  # Docker sets FORWARD to DROP and bridged frames pass iptables (br_netfilter): let test hosts
  # talk to each other on the bridge.
  if command -v iptables >/dev/null 2>&1 && ! iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; then
    iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
  fi
}

remove_bridge_if_unused() {
  [ -z "$(ls -A "$RUN" 2>/dev/null)" ] || return 0
  iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
}

make_netns() {
  local name="$1" idx="$2" ns veth
  ns="$(netns "$name")"
  veth="hpth${idx}"
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$veth" 2>/dev/null || true
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$SUBNET.$idx/24" dev eth0
  ip -n "$ns" link set eth0 up
}

# --- the host's files --------------------------------------------------------------------------
# prepare_rootfs NAME INDEX: a fresh root filesystem with this host's name, keys and user.
prepare_rootfs() {
  local name="$1" idx="$2" r keys
  r="$HOSTS/$name/rootfs"
  keys="$CACHE/keys/$name"
  mkdir -p "$r" "$keys"
  # Its own ext4 disk (a sparse image on a loop device): fast to fill and to throw away, and
  # swapon accepts a file on it.
  truncate -s "${TESTHOST_DISK_SIZE:-8G}" "$HOSTS/$name/disk.img"
  mkfs.ext4 -q -F -E nodiscard "$HOSTS/$name/disk.img"
  mount -o loop "$HOSTS/$name/disk.img" "$r"
  tar --numeric-owner -xf "$(rootfs_tarball)" -C "$r"
  chmod 0755 "$r" # the tarball's "./" came from a mktemp -d (0700)
  # Host keys and the client key persist per NAME: a re-created host keeps its identity.
  [ -f "$keys/etc/ssh/ssh_host_ed25519_key" ] || { mkdir -p "$keys/etc/ssh"; ssh-keygen -q -A -f "$keys"; }
  [ -f "$keys/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "testhost-$name" -f "$keys/id_ed25519"
  cp -p "$keys"/etc/ssh/ssh_host_* "$r/etc/ssh/"
  echo "$name" >"$r/etc/hostname"
  printf '127.0.0.1 localhost\n%s %s\n' "$SUBNET.$idx" "$name" >"$r/etc/hosts"
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$r/etc/machine-id"
  chroot "$r" useradd -m -s /bin/bash -G sudo,docker "$USER_NAME"
  chroot "$r" usermod -p '*' "$USER_NAME" # no password, but not locked (sshd refuses locked accounts)
  echo "$USER_NAME ALL=(ALL) NOPASSWD: ALL" >"$r/etc/sudoers.d/$USER_NAME"
  chmod 0440 "$r/etc/sudoers.d/$USER_NAME"
  install -d -m 0700 -o 1000 -g 1000 "$r/home/$USER_NAME/.ssh"
  { cat "$keys/id_ed25519.pub"; [ -z "${TESTHOST_AUTHORIZED_KEYS:-}" ] || cat "$TESTHOST_AUTHORIZED_KEYS"; } >"$r/home/$USER_NAME/.ssh/authorized_keys"
  chown 1000:1000 "$r/home/$USER_NAME/.ssh/authorized_keys"
  install -m 0755 "$HERE/init.sh" "$r/sbin/testhost-init"
  if [ -n "${TESTHOST_DOCKERD:-}" ]; then install -m 0755 "$TESTHOST_DOCKERD" "$r/usr/local/bin/dockerd"; fi
  # dockerd flags, not daemon.json: /etc/docker/daemon.json is left for bootstrap.sh to write.
  printf '%s\n' "--cgroup-parent=/hpth-$name ${TESTHOST_DOCKERD_ARGS:-}" >"$r/etc/testhost-dockerd-args"
}

# --- lifecycle ---------------------------------------------------------------------------------
wait_ready() {
  local name="$1" addr="$2" i
  for i in $(seq 1 120); do
    # sshd's banner (not only an open port), then dockerd answering.
    if [ "$(timeout 2 bash -c "exec 3<>/dev/tcp/$addr/22; head -c 4 <&3" 2>/dev/null)" = SSH- ] &&
      do_exec "$name" docker info >/dev/null 2>&1; then
      return 0
    fi
    started "$name" || break
    sleep 0.5
  done
  tail -n 30 "$(state "$name")/boot.log" >&2 || true
  do_exec "$name" tail -n 30 /var/log/dockerd.log >&2 || true
  die "$name did not become ready (sshd on $addr:22 and dockerd) within 60s"
}

up() {
  local name="$1" s idx t0=$SECONDS
  s="$(state "$name")"
  if running "$name"; then info "$name"; return; fi
  mkdir -p "$s"
  idx="$(allocate_index "$name")"
  teardown "$name" keep-index
  ensure_bridge
  make_netns "$name" "$idx"
  prepare_rootfs "$name" "$idx"
  # New mount/PID/UTS/IPC namespaces inside the network namespace; --kill-child ends the whole
  # host when unshare dies. boot.sh mounts the host's /proc, /sys, cgroup2, /dev, then chroots.
  setsid ip netns exec "$(netns "$name")" \
    unshare --mount --propagation private --pid --uts --ipc --fork --kill-child \
    bash "$HERE/boot.sh" "$HOSTS/$name/rootfs" "$name" >"$s/boot.log" 2>&1 </dev/null 9>&- &
  echo $! >"$s/unshare.pid"
  wait_ready "$name" "$SUBNET.$idx"
  log "$name up at $SUBNET.$idx in $((SECONDS - t0))s"
  info "$name"
}

do_exec() {
  local name="$1" pid
  shift
  pid="$(init_pid "$name")"
  [ -n "$pid" ] || die "$name is not running"
  nsenter -t "$pid" -m -u -i -n -p -r -w \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM="${TERM:-dumb}" "$@"
}

# teardown NAME [keep-index]: stop the host and remove all of it; safe on a half-made host.
teardown() {
  local name="$1" s pid upid i r
  s="$(state "$name")"
  r="$HOSTS/$name/rootfs"
  pid="$(init_pid "$name")"
  if [ -n "$pid" ]; then
    # Swap is kernel-wide: take the host's swap file off before the host goes.
    do_exec "$name" sh -c 'grep -q "^/swapfile " /proc/swaps && swapoff /swapfile' >/dev/null 2>&1 || true
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
  fi
  upid="$(cat "$s/unshare.pid" 2>/dev/null || true)"
  if [ -n "$upid" ] && [ -d "/proc/$upid" ]; then kill -KILL "$upid" 2>/dev/null || true; sleep 0.5; fi
  rm -f "$s/unshare.pid"
  [ ! -f "$r/swapfile" ] || swapoff "$r/swapfile" 2>/dev/null || true
  ip netns del "$(netns "$name")" 2>/dev/null || true
  [ ! -f "$s/index" ] || ip link del "hpth$(cat "$s/index")" 2>/dev/null || true
  # Containers' cgroups under the host's --cgroup-parent (left when dockerd was killed), in
  # cgroup2 or in each v1 hierarchy.
  for d in "/sys/fs/cgroup/hpth-$name" /sys/fs/cgroup/*/"hpth-$name"; do
    [ ! -d "$d" ] || find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  # The disk (loop device freed with it), and whatever else is mounted under the host's dir.
  findmnt -rn -o TARGET | grep "^$HOSTS/$name/" | sort -r | xargs -r -n1 umount || true
  rm -rf "${HOSTS:?}/$name"
  if [ "${2:-}" != keep-index ]; then rm -rf "$s"; remove_bridge_if_unused; fi
}

with_lock() { mkdir -p "$RUN"; exec 9>"$RUN.lock"; flock 9; "$@"; }

[ "$(id -u)" -eq 0 ] || die "must run as root (network and mount namespaces)"
cmd="${1:-}"
shift || true
case "$cmd" in
  up) check_name "${1:-}"; with_lock up "$1" ;;
  down) check_name "${1:-}"; with_lock teardown "$1" ;;
  info) check_name "${1:-}"; running "$1" || die "$1 is not running"; info "$1" ;;
  exec) check_name "${1:-}"; n="$1"; shift; do_exec "$n" "$@" ;;
  list) for d in "$RUN"/*/; do [ -d "$d" ] || continue; n="$(basename "$d")"; running "$n" && echo "$n $SUBNET.$(cat "$d/index")"; done; true ;;
  rootfs) with_lock rootfs_tarball ;;
  *) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
