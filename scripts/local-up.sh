#!/usr/bin/env bash
# Brings up the default `local` stack on this machine's Docker daemon.
#   - state lives in ./.pulumi-state (a file backend: no Pulumi account needed)
#   - the local stack's secrets (generated passwords) are encrypted with PULUMI_CONFIG_PASSPHRASE;
#     it defaults to a fixed local-only value: set your own before using this for anything real.
# Extra arguments go to `pulumi` (default: up --yes). Examples:
#   scripts/local-up.sh                 # converge the local stack
#   scripts/local-up.sh preview --diff  # show what would change
#   scripts/local-up.sh destroy --yes   # remove every container, network and volume of it
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f scripts/pulumi-env.sh ] && source scripts/pulumi-env.sh
command -v pulumi >/dev/null || { echo "pulumi CLI not found: install it (https://www.pulumi.com/docs/install/) or run scripts/toolchain/build.sh" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "Docker daemon not reachable: start Docker (or run scripts/docker-engine.sh on Debian)" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-hostplane-local-only}"
pulumi stack select local 2>/dev/null || pulumi stack init local
if [ $# -eq 0 ]; then set -- up --yes; fi
exec pulumi "$@" --stack local
