#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (Apache-2.0) from the Go module proxy: the real S3-compatible object
# store the backup tests upload to on loopback. A pinned version, built once with the shared Go
# module/build cache of scripts/toolchain/build.sh and kept as a cached binary.
#
#   bash scripts/seaweedfs.sh          # make sure the binary exists; print its path on stdout
#   bash scripts/seaweedfs.sh --path   # print the path; exit 1 when it is not built (tests)
#
# SeaweedFS has no semver tags and its go.mod has a replace directive, so `go install pkg@v`
# refuses it: a throwaway wrapper module requires the pinned pseudo-version, repeats the replace,
# and builds the weed package from there.
# Variables: HOSTPLANE_TOOLS_DIR (default ~/.cache/hostplane/tools), HOSTPLANE_GOMODCACHE.
set -euo pipefail

SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
tools="${HOSTPLANE_TOOLS_DIR:-$HOME/.cache/hostplane/tools}"
bin_dir="$tools/seaweedfs-$SEAWEEDFS_VERSION"
bin="$bin_dir/weed"

if [ "${1:-}" = --path ]; then
  echo "$bin"
  [ -x "$bin" ]
  exit
fi

if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "seaweedfs.sh: 'go' is not on PATH (Go 1.26.6+ builds weed)" >&2; exit 2; }
  cache="$HOME/.cache/hostplane/toolchain/go"
  export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-$cache/mod}" GOCACHE="$cache/build" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS=-buildvcs=false
  mkdir -p "$bin_dir" "$GOMODCACHE" "$GOCACHE"
  t0=$(date +%s)
  echo "seaweedfs.sh: building github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION into $bin_dir" >&2
  tmp="$(mktemp -d "$bin_dir/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (
    cd "$tmp"
    go mod init hostplane.local/weedbuild >/dev/null 2>&1
    go mod edit -replace github.com/tyler-smith/go-bip39=github.com/cosmos/go-bip39@v1.0.0
    go get "github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION" >&2
    go build -trimpath -ldflags=-s -o "$tmp/weed" github.com/seaweedfs/seaweedfs/weed
  )
  mv "$tmp/weed" "$bin"
  echo "seaweedfs.sh: built in $(( $(date +%s) - t0 ))s" >&2
fi
echo "$bin"
