#!/usr/bin/env bash
# `npm run local:up`: from a fresh clone to the default `local` stack running and answering.
# Idempotent; a second run with nothing changed converges in seconds and changes nothing.
#   1. Node packages (npm ci) when node_modules is missing
#   2. a Docker engine: the running one; else, on Linux as root (or with sudo), Debian/Ubuntu's
#      docker.io installed and started (scripts/docker-engine.sh); else a message and exit 2
#   3. the Pulumi CLI: one already on PATH (with its own plugin downloads); else the offline
#      toolchain built from Go modules (scripts/toolchain/build.sh, once, ~15 min on 2 cores)
#   4. images: one check whether a registry answers; if not, every image is built here from
#      Debian packages (images/), one line per image; a host port already taken stops the run
#   5. `pulumi up` of the local stack (state in ./.pulumi-state, a file backend)
#   6. the status table and every URL, checked to answer
# Other arguments go to `pulumi` instead of `up` (steps 4-6 are skipped):
#   npm run local:up -- preview --diff
#   npm run local:up -- destroy --yes      # removes every container, network and volume it made
# Secrets of the local stack are encrypted with PULUMI_CONFIG_PASSPHRASE (default: a fixed
# local-only value; set your own before using this for anything real).
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=local
T0=$(date +%s)
step() { printf '==> [%4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { printf 'error: %s\n' "$1" >&2; exit "${2:-1}"; }

step "Node packages"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error

step "Docker engine"
if ! docker info >/dev/null 2>&1; then
  if [ "$(uname -s)" = Linux ] && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
    bash scripts/docker-engine.sh
  else
    die "no Docker engine answers ('docker info' failed), and this user cannot install one (not root, no sudo on Linux). Install and start Docker (Docker Desktop, or 'apt-get install docker.io' as root), then run 'npm run local:up' again. Nothing was installed or created." 2
  fi
fi

step "Pulumi CLI"
if command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}/bin/pulumi" ]; then
  export HOSTPLANE_USE_SYSTEM_PULUMI=1
  echo "using $(command -v pulumi) ($(pulumi version 2>/dev/null || echo '?'))"
else
  if [ ! -x "${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}/bin/pulumi" ]; then
    command -v go >/dev/null 2>&1 || die "no pulumi on PATH and no Go toolchain to build one: install Pulumi (https://www.pulumi.com/docs/install/) or Go >= 1.25, then run again" 2
    echo "no pulumi on PATH: building the Pulumi CLI and plugins from Go modules (scripts/toolchain/build.sh)."
    echo "The first build takes about 15 minutes on 2 cores (measured: 13m44s cold for the whole CI setup); later runs reuse it."
  fi
  # Rebuilds only what changed (seconds when nothing did).
  bash scripts/toolchain/build.sh | sed -u 's/^/    /'
fi
# shellcheck disable=SC1091 # scripts/pulumi-env.sh, checked on its own
. scripts/pulumi-env.sh

mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-hostplane-local-only}"
pulumi stack select --create "$STACK" >/dev/null

if [ $# -gt 0 ]; then
  step "pulumi $*"
  exec pulumi "$@" --stack "$STACK"
fi

step "Images and host ports"
plan="$(mktemp)"
trap 'rm -f "$plan"' EXIT
npx --no-install ts-node --transpile-only cli/local.ts prepare --stack "$STACK" --plan "$plan"
# shellcheck disable=SC1090
. "$plan"
export HOSTPLANE_REGISTRY
if [ -n "${BUILD_SPECS:-}" ]; then
  # shellcheck disable=SC2086 # one word per image
  bash images/build.sh $BUILD_SPECS 2>&1 | sed -u 's/^/    /'
fi

step "pulumi up --stack $STACK"
pulumi up --yes --skip-preview --stack "$STACK" --suppress-progress

step "What runs"
npx --no-install ts-node --transpile-only cli/local.ts report --stack "$STACK"
step "done"
