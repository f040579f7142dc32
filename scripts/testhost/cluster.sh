#!/usr/bin/env bash
# Several test hosts (testhost.sh) as the nodes of a would-be cluster, for the Swarm tier: each
# node has its own network namespace on the bridge hpth0, its own root filesystem, sshd and
# dockerd. This script only makes the machines and gives them images; forming the swarm is the
# product's job (or `cluster.sh probe`, a self-check of the harness).
#
#   cluster.sh up N [PREFIX]        start nodes PREFIX1..PREFIXN (default prefix "node"); prints
#                                   one line per node: NAME ADDRESS
#   cluster.sh down N [PREFIX]      stop and remove them (idempotent)
#   cluster.sh load N [PREFIX] IMAGE...
#                                   copy images from this machine's engine into every node
#                                   (docker save | docker load: no registry is reachable here)
#   cluster.sh probe N [PREFIX]     harness self-check: swarm init on node 1, join the others,
#                                   an overlay network and a dnsrr service with one task per
#                                   node, each task reaching every other task across nodes;
#                                   then the swarm is dissolved again. PROBE_ENCRYPTED=1 uses an
#                                   encrypted overlay (IPsec), after checking the kernel can
#   cluster.sh ipsec                exit 0 if this kernel can run encrypted overlays
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTHOST="$HERE/testhost.sh"
# The probe's service: the demo app (HTTP on 8000, curl inside), loaded into the nodes first.
PROBE_IMAGE="${PROBE_IMAGE:-hostplane-local/demo-app:1}"

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

nodes() { # N PREFIX: the node names
  local n="$1" prefix="$2" i
  [[ "$n" =~ ^[1-9]$ ]] || die "N must be 1-9 (got '$n')"
  [[ "$prefix" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "PREFIX must match ^[a-z][a-z0-9]{0,7}\$ (got '$prefix')"
  for i in $(seq 1 "$n"); do echo "$prefix$i"; done
}

address() { bash "$TESTHOST" info "$1" | sed -n 's/^TESTHOST_ADDRESS=//p'; }
on() { local name="$1"; shift; bash "$TESTHOST" exec "$name" "$@"; }

up() {
  local name
  for name in "$@"; do
    bash "$TESTHOST" up "$name" >/dev/null
    echo "$name $(address "$name")"
  done
}

down() {
  local name
  for name in "$@"; do bash "$TESTHOST" down "$name"; done
}

load() { # IMAGE... after "--" NODE...
  local images=() name
  while [ "$1" != -- ]; do images+=("$1"); shift; done
  shift
  for name in "$@"; do
    log "loading ${#images[@]} image(s) into $name"
    docker save "${images[@]}" | on "$name" docker load -q >/dev/null
  done
}

# probe NODE...: the checks the Swarm tier relies on, on the bare harness.
probe() {
  local first="$1" manager token name want got
  manager="$(address "$first")"
  on "$first" docker swarm init --advertise-addr "$manager" >/dev/null
  token="$(on "$first" docker swarm join-token -q worker)"
  for name in "${@:2}"; do
    on "$name" docker swarm join --token "$token" --advertise-addr "$(address "$name")" "$manager:2377" >/dev/null
  done
  want=$#
  got="$(on "$first" docker node ls -q | wc -l)"
  [ "$got" = "$want" ] || die "$got of $want nodes joined"
  local encrypted=()
  if [ "${PROBE_ENCRYPTED:-}" = 1 ]; then
    ipsec_supported || die "this kernel has no rfc4106(gcm(aes)) AEAD for IPsec: Docker's encrypted overlay (--opt encrypted) cannot carry traffic here"
    encrypted=(--opt encrypted)
  fi
  on "$first" docker network create -d overlay "${encrypted[@]}" --attachable probe-net >/dev/null
  # One task per node (global mode), resolved by DNS round robin: no IPVS on this kernel.
  on "$first" docker service create -q -d --name probe --mode global --endpoint-mode dnsrr \
    --network probe-net "$PROBE_IMAGE" >/dev/null
  wait_tasks "$first" "$want"
  check_cross_node "$@"
  log "probe passed: $want nodes, overlay traffic between every pair of tasks"
}

wait_tasks() { # MANAGER COUNT: every task of the probe service running, within 90 s
  local i running=0
  for i in $(seq 1 90); do
    running="$(on "$1" docker service ps probe --filter desired-state=running --format '{{.CurrentState}}' | grep -c '^Running' || true)"
    [ "$running" = "$2" ] && return 0
    sleep 1
  done
  on "$1" docker service ps --no-trunc probe >&2 || true
  die "$running of $2 probe tasks running after 90s"
}

check_cross_node() { # NODE...: from each node's task, every task answers HTTP over the overlay
  local name cid addrs a
  for name in "$@"; do
    cid="$(on "$name" docker ps -q --filter label=com.docker.swarm.service.name=probe)"
    [ -n "$cid" ] || die "no probe task on $name"
    addrs="$(on "$name" docker exec "$cid" getent ahostsv4 tasks.probe | awk '{print $1}' | sort -u)"
    [ "$(wc -l <<<"$addrs")" = "$#" ] || die "tasks.probe on $name resolves to $(wc -l <<<"$addrs") addresses, want $#"
    for a in $addrs; do
      on "$name" docker exec "$cid" curl -fsS -m 3 -o /dev/null "http://$a:8000/health" || die "task on $name cannot reach $a:8000 over the overlay"
    done
  done
}

# ipsec_supported: the kernel accepts an ESP state with the AEAD Docker's encrypted overlays use
# (tried in a scratch network namespace, removed again).
ipsec_supported() {
  local ns="hpc-xfrm-$$" ok=0
  ip netns add "$ns"
  ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport \
    aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 64 2>/dev/null || ok=1
  ip netns del "$ns"
  return "$ok"
}

dissolve() { # NODE...: leave the swarm on every node, the first (manager) last
  local name
  for name in "${@:2}" "$1"; do on "$name" docker swarm leave --force >/dev/null 2>&1 || true; done
}

[ "$(id -u)" -eq 0 ] || die "must run as root (testhost.sh makes namespaces)"
cmd="${1:-}"
case "$cmd" in
  up | down | probe)
    mapfile -t names < <(nodes "${2:-}" "${3:-node}")
    case "$cmd" in
      up) up "${names[@]}" ;;
      down) down "${names[@]}" ;;
      probe) trap 'dissolve "${names[@]}"' EXIT; probe "${names[@]}" ;;
    esac ;;
  load)
    mapfile -t names < <(nodes "${2:-}" "${3:-node}")
    [ $# -ge 4 ] || die "usage: cluster.sh load N PREFIX IMAGE..."
    load "${@:4}" -- "${names[@]}" ;;
  ipsec) if ipsec_supported; then echo "IPsec AEAD rfc4106(gcm(aes)): supported"; else echo "IPsec AEAD rfc4106(gcm(aes)): missing"; exit 1; fi ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
