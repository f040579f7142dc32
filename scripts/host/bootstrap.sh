#!/usr/bin/env bash
# hostplane host bootstrap for an existing host (host.provider: ssh): installs Docker Engine from
# the distribution's packages if it is missing, and applies the hardening a hostplane Hetzner
# server gets from cloud-init (render/cloud-init.ts keeps the same file contents):
#   - /etc/docker/daemon.json with json-file log rotation, only when the file does not exist
#     (an existing daemon.json is the operator's: it is left alone, and Docker is never restarted);
#   - /etc/ssh/sshd_config.d/10-hostplane.conf: keys only (checked with sshd -t, then reloaded);
#   - unattended security upgrades (package + /etc/apt/apt.conf.d/52hostplane-unattended-upgrades);
#   - a swap file when the host has no swap at all.
# It only ever writes its own files (plus daemon.json when absent): nothing already there is replaced.
# Idempotent: a second run changes nothing. The last line says what changed:
#   hostplane-bootstrap: unchanged
#   hostplane-bootstrap: changed: <what> <what>...
#
# Environment:
#   HOSTPLANE_ROOT            prefix for every file (tests); when set, nothing is installed,
#                             no service is touched and no swap is created
#   HOSTPLANE_SWAP            swap file size (2G, 512M; 0 = none), default 2G
#   HOSTPLANE_LOG_MAX_SIZE    json-file max-size (default 10m)
#   HOSTPLANE_LOG_MAX_FILE    json-file max-file (default 3)
set -euo pipefail

ROOT="${HOSTPLANE_ROOT:-}"
SWAP="${HOSTPLANE_SWAP:-2G}"
LOG_MAX_SIZE="${HOSTPLANE_LOG_MAX_SIZE:-10m}"
LOG_MAX_FILE="${HOSTPLANE_LOG_MAX_FILE:-3}"
changed=()

log() { echo "hostplane-bootstrap: $*" >&2; }
live() { [ -z "$ROOT" ]; }
if live && [ "$(id -u)" -ne 0 ]; then
  log "must run as root (the program runs it with sudo -n for a non-root user)"
  exit 1
fi

# put_file <path> <mode> <content>: writes only when the content differs; records the change.
put_file() {
  local path="$ROOT$1" mode="$2" content="$3"
  if [ -f "$path" ] && [ "$(cat "$path"; echo x)" = "${content}x" ]; then return 1; fi
  mkdir -p "$(dirname "$path")"
  local tmp
  tmp="$(mktemp "$path.XXXXXX")"
  printf '%s' "$content" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
  changed+=("$1")
  return 0
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# 1. Docker Engine
if command -v docker >/dev/null 2>&1; then
  log "docker: present ($(command -v docker)), not installing"
elif live; then
  log "docker: installing docker.io from the distribution's packages"
  apt_install docker.io ca-certificates
  systemctl enable --now docker
  changed+=("docker.io")
else
  log "docker: missing, not installed under HOSTPLANE_ROOT=$ROOT"
fi

# 2. daemon.json: log rotation defaults, only if there is none
if [ -e "$ROOT/etc/docker/daemon.json" ]; then
  log "daemon.json: exists, left as it is"
else
  put_file /etc/docker/daemon.json 0644 "{
  \"log-driver\": \"json-file\",
  \"log-opts\": {
    \"max-size\": \"$LOG_MAX_SIZE\",
    \"max-file\": \"$LOG_MAX_FILE\"
  }
}
" && log "daemon.json: written; Docker is not restarted, it applies at the next Docker restart"
fi

# 3. sshd: keys only
SSHD_CONF="PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin prohibit-password
"
if [ -f "$ROOT/etc/ssh/sshd_config" ] && ! grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/' "$ROOT/etc/ssh/sshd_config"; then
  log "sshd: sshd_config does not include sshd_config.d/, not changed (set PasswordAuthentication no by hand)"
elif put_file /etc/ssh/sshd_config.d/10-hostplane.conf 0644 "# hostplane: keys only (password logins are the first thing scanners try).
$SSHD_CONF"; then
  if live; then
    if sshd -t; then
      systemctl reload ssh 2>/dev/null || systemctl reload sshd 2>/dev/null || log "sshd: reload it to apply"
    else
      rm -f /etc/ssh/sshd_config.d/10-hostplane.conf
      log "sshd: config check failed with the hostplane drop-in; removed it"
      exit 1
    fi
  fi
fi

# 4. unattended security upgrades
if live && ! dpkg -s unattended-upgrades >/dev/null 2>&1; then
  apt_install unattended-upgrades
  changed+=("unattended-upgrades")
fi
put_file /etc/apt/apt.conf.d/52hostplane-unattended-upgrades 0644 '// hostplane: refresh package lists and install security updates every day.
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
APT::Periodic::AutocleanInterval "7";
' || true

# 5. swap, only when there is none
if [ "$SWAP" != "0" ]; then
  if ! live; then
    log "swap: not created under HOSTPLANE_ROOT"
  elif [ -n "$(swapon --noheadings --show 2>/dev/null)" ] || [ -e /swapfile ]; then
    log "swap: present, left as it is"
  else
    fallocate -l "$SWAP" /swapfile
    chmod 0600 /swapfile
    mkswap /swapfile >/dev/null
    swapon /swapfile
    grep -q '^/swapfile ' /etc/fstab || echo '/swapfile none swap sw 0 0' >>/etc/fstab
    changed+=("swap:$SWAP")
  fi
fi

# 6. marker
mkdir -p "$ROOT/var/lib/hostplane"
[ -f "$ROOT/var/lib/hostplane/bootstrap-done" ] || { date -u +%FT%TZ >"$ROOT/var/lib/hostplane/bootstrap-done"; changed+=("marker"); }

if [ ${#changed[@]} -eq 0 ]; then
  echo "hostplane-bootstrap: unchanged"
else
  echo "hostplane-bootstrap: changed: ${changed[*]}"
fi
