#!/usr/bin/env bash
# Build the Hetzner Cloud API double (a test stand-in, see README.md) with the Go module and
# build caches of scripts/toolchain/build.sh. Prints the binary's path on the last line.
# Usage: e2e/hcloud-api/build.sh   (a second run with nothing changed takes a second)
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}"
export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-$OUT/go/mod}" GOCACHE="$OUT/go/build"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly" GOSUMDB="${GOSUMDB:-off}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
command -v go >/dev/null || { echo "hcloud-api/build.sh: go not found on PATH" >&2; exit 1; }
mkdir -p "$OUT/bin"
s=$(date +%s)
(cd "$DIR" && go build -trimpath -o "$OUT/bin/hcloud-api-double.tmp" .)
mv -f "$OUT/bin/hcloud-api-double.tmp" "$OUT/bin/hcloud-api-double"
echo "hcloud-api double built in $(( $(date +%s) - s ))s" >&2
echo "$OUT/bin/hcloud-api-double"
