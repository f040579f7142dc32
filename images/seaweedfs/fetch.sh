#!/usr/bin/env bash
# Build input that is not a Debian package: SeaweedFS's `weed`, built from the Go module proxy by
# scripts/seaweedfs.sh (cached by version; the pin below must be the one that script builds, so
# that this recipe's hash, and so its image tag, changes with it).
set -euo pipefail
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/../../scripts/seaweedfs.sh"
grep -q "^SEAWEEDFS_VERSION=$SEAWEEDFS_VERSION\$" "$script" ||
  { echo "images/seaweedfs/fetch.sh: pins $SEAWEEDFS_VERSION but scripts/seaweedfs.sh builds another version: set the same pin in both" >&2; exit 1; }
bin="$(bash "$script")"
cp "$bin" "$1/weed"
