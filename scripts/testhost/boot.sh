#!/usr/bin/env bash
# Runs as PID 1 of a test host's new mount/PID/UTS/IPC namespaces (inside its network
# namespace), started by testhost.sh: gives the host its own /proc, /sys, cgroup2, /dev and /run
# over its root filesystem, makes that the root (pivot_root), then runs /sbin/testhost-init.
#   boot.sh ROOTFS NAME
set -euo pipefail
r="$1"
hostname "$2"
# pivot_root needs the new root to be a mount point.
mount --bind "$r" "$r"
mount -t proc proc "$r/proc"
# A fresh sysfs shows this network namespace's interfaces; dockerd needs the cgroup hierarchies
# under it, mounted the way the CI machine has them: cgroup2 alone, or the v1 controllers (whose
# cpu controller gives containers CPU limits) next to a cgroup2 "unified" mount.
mount -t sysfs sysfs "$r/sys"
if [ "$(cut -d: -f2 /proc/self/cgroup | tr -d '\n')" = "" ]; then
  mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup"
else
  mount -t tmpfs -o mode=0755,size=1m cgroup "$r/sys/fs/cgroup"
  while IFS=: read -r _ ctrls _; do
    case "$ctrls" in
      "") mkdir -p "$r/sys/fs/cgroup/unified"; mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup/unified" ;;
      name=*) mkdir -p "$r/sys/fs/cgroup/${ctrls#name=}"; mount -t cgroup -o "none,$ctrls" cgroup "$r/sys/fs/cgroup/${ctrls#name=}" ;;
      *) mkdir -p "$r/sys/fs/cgroup/$ctrls"; mount -t cgroup -o "$ctrls" cgroup "$r/sys/fs/cgroup/$ctrls" ;;
    esac
  done </proc/self/cgroup
fi
mount -t tmpfs -o mode=0755,size=64m tmpfs "$r/run"
# A minimal /dev of its own: the usual character devices, its own pts and shm.
mount -t tmpfs -o mode=0755,size=1m tmpfs "$r/dev"
for d in null zero full random urandom tty; do
  touch "$r/dev/$d"
  mount --bind "/dev/$d" "$r/dev/$d"
done
mkdir -p "$r/dev/pts" "$r/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
ln -s pts/ptmx "$r/dev/ptmx"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$r/dev/shm"
ln -s /proc/self/fd "$r/dev/fd"
ln -s /proc/self/fd/0 "$r/dev/stdin"
ln -s /proc/self/fd/1 "$r/dev/stdout"
ln -s /proc/self/fd/2 "$r/dev/stderr"
cd "$r"
mkdir -p .oldroot
pivot_root . .oldroot
exec /usr/sbin/chroot . /bin/sh -c 'umount -l /.oldroot && rmdir /.oldroot && exec /sbin/testhost-init'
