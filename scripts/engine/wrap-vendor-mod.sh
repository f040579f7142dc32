#!/usr/bin/env bash
# Regenerates a wrapper go.mod for a module that has no go.mod upstream (moby, docker/cli):
# requires MODULE@VERSION plus the require blocks of its vendor.mod, so `go build` picks exactly
# the dependency versions upstream vendors. Then run scripts/engine/build.sh --update-sums.
# Usage: wrap-vendor-mod.sh DIR MODULE VERSION TOOL_PACKAGE...
set -euo pipefail
dir=$1 mod=$2 ver=$3; shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}/go/mod}" GOFLAGS=-mod=mod
src=$(cd "$(mktemp -d)" && go mod download -json "$mod@$ver" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[ -f "$src/vendor.mod" ] || { echo "wrap-vendor-mod.sh: $mod@$ver has no vendor.mod" >&2; exit 1; }
{
  echo "// Wrapper module: builds $mod $ver (no go.mod upstream) with the exact"
  echo "// dependency versions of its vendor.mod. Regenerate: scripts/engine/wrap-vendor-mod.sh"
  echo "module hostplane.local/engine/$dir"; echo; echo "go 1.24.0"; echo
  echo "require $mod $ver"; echo
  sed -n '/^require/,$p' "$src/vendor.mod" | grep -v '^toolchain'
  echo; echo "tool ("; for t in "$@"; do printf '\t%s\n' "$t"; done; echo ")"
} >"$here/$dir/go.mod"
echo "wrote $here/$dir/go.mod"
