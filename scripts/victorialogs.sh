#!/usr/bin/env bash
# Builds VictoriaLogs (Apache-2.0) from the Go module proxy: the OTLP log store the e2e tier ships
# container logs to, standing in for Loki (Grafana's Loki is not obtainable here; both accept OTLP
# logs over HTTP). A pinned version, built once with the shared Go module/build cache of
# scripts/toolchain/build.sh and kept as a cached binary.
#
#   bash scripts/victorialogs.sh          # make sure the binary exists; print its path on stdout
#   bash scripts/victorialogs.sh --path   # print the path; exit 1 when it is not built (tests)
#
# Variables: HOSTPLANE_TOOLS_DIR (default ~/.cache/hostplane/tools), HOSTPLANE_GOMODCACHE.
set -euo pipefail

VICTORIALOGS_VERSION=v1.52.1
tools="${HOSTPLANE_TOOLS_DIR:-$HOME/.cache/hostplane/tools}"
bin_dir="$tools/victorialogs-$VICTORIALOGS_VERSION"
bin="$bin_dir/victoria-logs"

if [ "${1:-}" = --path ]; then
  echo "$bin"
  [ -x "$bin" ]
  exit
fi

if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "victorialogs.sh: 'go' is not on PATH (Go 1.26.5+ builds VictoriaLogs)" >&2; exit 2; }
  cache="$HOME/.cache/hostplane/toolchain/go"
  export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-$cache/mod}" GOCACHE="$cache/build" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS=-buildvcs=false CGO_ENABLED=0
  mkdir -p "$bin_dir" "$GOMODCACHE" "$GOCACHE"
  t0=$(date +%s)
  tmp="$(mktemp -d "$bin_dir/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "victorialogs.sh: building github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$VICTORIALOGS_VERSION into $bin_dir" >&2
  GOBIN="$tmp" go install -trimpath -ldflags=-s "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$VICTORIALOGS_VERSION" >&2
  "$tmp/victoria-logs" -version >&2
  mv "$tmp/victoria-logs" "$bin"
  echo "victorialogs.sh: built in $(( $(date +%s) - t0 ))s" >&2
fi
echo "$bin"
