#!/usr/bin/env bash
# images/build.sh hook: copies the collector binary (built, or taken from its cache, by
# scripts/otelcol.sh) into the staged build context given as $1.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
install -m 0755 "$(bash "$repo/scripts/otelcol.sh")" "$1/otelcol-hostplane"
