#!/usr/bin/env bash
# npm run bench: the offline Pulumi toolchain on PATH, the e2e lock held for the whole run (the
# benchmark publishes the e2e stack's ports and uses its names), then bench/main.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/pulumi-env.sh
. scripts/pulumi-env.sh
exec flock /tmp/hostplane-e2e.lock node_modules/.bin/ts-node --transpile-only bench/main.ts "$@"
