#!/usr/bin/env bash
# Builds grafana-check (strict decoding of our Grafana dashboards with the Grafana Foundation SDK,
# see main.go) with the Go module and build caches of scripts/toolchain/build.sh. Prints the
# binary's path on the last line. A second run with nothing changed takes about a second.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}"
export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-$OUT/go/mod}" GOCACHE="$OUT/go/build"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
command -v go >/dev/null || { echo "grafana-check/build.sh: go not found on PATH" >&2; exit 1; }
mkdir -p "$OUT/bin"
s=$(date +%s)
# A temp name, then a rename: an interrupted build never leaves a half-written binary behind.
tmp="$OUT/bin/grafana-check.tmp.$$"
(cd "$DIR" && go build -trimpath -o "$tmp" .)
mv -f "$tmp" "$OUT/bin/grafana-check"
echo "grafana-check built in $(( $(date +%s) - s ))s" >&2
echo "$OUT/bin/grafana-check"
