#!/usr/bin/env bash
# Builds hostplane's OpenTelemetry Collector (the log and container-metrics agent of the
# monitoring stack) with the collector's own builder, ocb, from the Go module proxy only. The
# components are pinned in scripts/otelcol/builder-config.yaml; the binary is cached under a
# hash of that manifest, the builder version and the Go version, so a second run is instant.
#
#   bash scripts/otelcol.sh          # make sure the binary exists; print its path on stdout
#   bash scripts/otelcol.sh --path   # print the path; exit 1 when it is not built (tests)
#
# Variables: HOSTPLANE_TOOLS_DIR (default ~/.cache/hostplane/tools), HOSTPLANE_GOMODCACHE.
set -euo pipefail

OCB_VERSION=v0.165.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/otelcol/builder-config.yaml"
tools="${HOSTPLANE_TOOLS_DIR:-$HOME/.cache/hostplane/tools}"
go_version="$(go env GOVERSION 2>/dev/null || echo none)"
key="$(cat "$manifest" <(echo "$OCB_VERSION $go_version") | sha256sum | cut -c1-12)"
bin_dir="$tools/otelcol-$OCB_VERSION-$key"
bin="$bin_dir/otelcol-hostplane"

if [ "${1:-}" = --path ]; then
  echo "$bin"
  [ -x "$bin" ]
  exit
fi

if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "otelcol.sh: 'go' is not on PATH (Go 1.26+ builds the collector)" >&2; exit 2; }
  cache="$HOME/.cache/hostplane/toolchain/go"
  export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-$cache/mod}" GOCACHE="$cache/build" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS=-buildvcs=false CGO_ENABLED=0
  mkdir -p "$bin_dir" "$GOMODCACHE" "$GOCACHE"
  t0=$(date +%s)
  tmp="$(mktemp -d "$bin_dir/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "otelcol.sh: building the builder (go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION)" >&2
  GOBIN="$tmp/bin" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION" >&2
  cp "$manifest" "$tmp/builder-config.yaml"
  echo "otelcol.sh: building the collector from $manifest into $bin_dir" >&2
  (cd "$tmp" && "$tmp/bin/builder" --config builder-config.yaml >&2)
  "$tmp/_build/otelcol-hostplane" --version >&2
  mv "$tmp/_build/otelcol-hostplane" "$bin"
  echo "otelcol.sh: built in $(( $(date +%s) - t0 ))s" >&2
fi
echo "$bin"
