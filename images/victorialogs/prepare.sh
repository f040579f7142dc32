#!/usr/bin/env bash
# images/build.sh hook: copies the VictoriaLogs binary (built, or taken from its cache, by
# scripts/victorialogs.sh) into the staged build context given as $1.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
install -m 0755 "$(bash "$repo/scripts/victorialogs.sh")" "$1/victoria-logs"
