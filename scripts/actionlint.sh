#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint, built from the Go module proxy (no release
# download needed): a pinned version, installed once into a cache directory and rebuilt only when
# that version's binary is missing.
#
#   bash scripts/actionlint.sh              # lint .github/workflows/*.yml
#   bash scripts/actionlint.sh --build-only # only make sure the binary exists; print its path
#   bash scripts/actionlint.sh FILE...      # lint these files
#
# actionlint runs shellcheck on every `run:` block when `shellcheck` is on PATH (Debian package
# `shellcheck`; CI installs it). Variables: HOSTPLANE_TOOLS_DIR (default ~/.cache/hostplane/tools),
# GOPROXY (Go's default when unset).
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
tools="${HOSTPLANE_TOOLS_DIR:-$HOME/.cache/hostplane/tools}"
bin_dir="$tools/actionlint-$ACTIONLINT_VERSION"
bin="$bin_dir/actionlint"
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "actionlint.sh: 'go' is not on PATH (Go 1.25+ builds actionlint $ACTIONLINT_VERSION)" >&2; exit 2; }
  mkdir -p "$bin_dir"
  echo "actionlint.sh: building github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION into $bin_dir" >&2
  # A temp GOBIN, then a rename: an interrupted build never leaves a half-written binary behind.
  tmp="$(mktemp -d "$bin_dir/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  mv "$tmp/actionlint" "$bin"
fi

if [ "${1:-}" = "--build-only" ]; then
  echo "$bin"
  exit 0
fi

cd "$root"
if ! command -v shellcheck >/dev/null 2>&1; then
  echo "actionlint.sh: shellcheck is not on PATH: run: blocks are not checked (apt-get install -y shellcheck)" >&2
fi
if [ $# -eq 0 ]; then
  set -- .github/workflows/*.yml
fi
exec "$bin" -no-color "$@"
