#!/usr/bin/env bash
# Proves and times the README's first command, as a newcomer runs it: a clean clone of this
# repository (no node_modules, no Pulumi state), then
#   1. `npm run local:up`                      first run: every container healthy, URLs answer
#   2. `npm run local:up`                      second run, nothing changed
#   3. `npm run local:up -- preview --expect-no-changes`
#   4. `npm run local:up -- destroy --yes`     then no container, network or volume is left
# and prints the time of each step (and writes them as JSON). `.ci/run` runs it.
#
#   scripts/local-up-check.sh                 # warm: reuses the toolchain and image caches
#   scripts/local-up-check.sh --cold          # cold: empty toolchain + image caches, and the
#                                             # hostplane-local images removed first (slow: ~15+ min)
# Env: LOCAL_UP_JSON (default /tmp/local-up-times.json), KEEP_CLONE=1 to keep the clone.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
COLD=0
[ "${1:-}" = --cold ] && COLD=1
OUT_JSON="${LOCAL_UP_JSON:-/tmp/local-up-times.json}"
WORK="$(mktemp -d /tmp/hostplane-local-up.XXXXXX)"
CLONE="$WORK/hostplane"
cleanup() { [ "${KEEP_CLONE:-}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

if [ "$COLD" = 1 ]; then
  export HOSTPLANE_TOOLCHAIN_DIR="$WORK/toolchain" HOSTPLANE_IMAGE_CACHE="$WORK/image-cache"
  docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^hostplane-(local|e2e)/' | xargs -r docker rmi -f >/dev/null || true
fi

git clone -q "$REPO" "$CLONE"
cd "$CLONE"
declare -A SECONDS_OF
run() {
  local name="$1"; shift
  local t0; t0=$(date +%s)
  echo "==> $name: $*"
  "$@"
  SECONDS_OF[$name]=$(($(date +%s) - t0))
  echo "==> $name took ${SECONDS_OF[$name]}s"
}

run first npm run local:up
run second npm run local:up
run preview npm run local:up -- preview --expect-no-changes
run destroy npm run local:up -- destroy --yes

left="$(docker ps -aq --filter label=hostplane.stack=local | wc -l) containers, \
$(docker network ls -q --filter label=hostplane.stack=local | wc -l) networks, \
$(docker volume ls -q --filter label=hostplane.stack=local | wc -l) volumes"
echo "left after destroy: $left"
case "$left" in "0 containers, 0 networks, 0 volumes") ;; *) echo "destroy left resources behind" >&2; exit 1 ;; esac

kind=$([ "$COLD" = 1 ] && echo cold || echo warm)
printf '\n%-34s %8s\n' "step ($kind caches)" seconds
for k in first second preview destroy; do printf '%-34s %8s\n' "$k" "${SECONDS_OF[$k]}"; done
printf '{"caches":"%s","first":%s,"second":%s,"preview":%s,"destroy":%s}\n' "$kind" \
  "${SECONDS_OF[first]}" "${SECONDS_OF[second]}" "${SECONDS_OF[preview]}" "${SECONDS_OF[destroy]}" >"$OUT_JSON"
echo "written: $OUT_JSON"
