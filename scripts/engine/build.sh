#!/usr/bin/env bash
# Build a current Docker engine from Go modules (no downloads besides the Go module proxy and,
# for runc's cgo build, Debian's gcc/libseccomp-dev): dockerd + docker-proxy (moby), the docker
# CLI, containerd + containerd-shim-runc-v2, runc. Versions: scripts/engine/versions.env.
#
# Usage: scripts/engine/build.sh [--force] [--update-sums]
#   --update-sums  let `go build` add missing go.sum entries (after wrap-vendor-mod.sh)
#
# Output, default ${HOSTPLANE_ENGINE_DIR:-$HOME/.cache/hostplane/engine}:
#   bin/{dockerd,docker-proxy,docker,containerd,containerd-shim-runc-v2,runc}
#   stamps/, logs/   what was built from which inputs; build logs
# Go module and build caches are the toolchain's (scripts/toolchain/build.sh):
#   ${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}/go/{mod,build}
# Each piece is rebuilt only when its inputs (version, wrapper go.mod/go.sum, Go version,
# flags) change; a re-run with nothing changed takes about a second.
# Start it: scripts/docker-engine.sh with HOSTPLANE_ENGINE=built.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RECIPE=1 # bump to rebuild everything when this recipe changes
FORCE=0 MODFLAG=readonly
for a in "$@"; do
  case $a in
    --force) FORCE=1 ;;
    --update-sums) MODFLAG=mod ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "engine/build.sh: unknown argument: $a" >&2; exit 64 ;;
  esac
done
# shellcheck source=scripts/engine/versions.env
. "$HERE/versions.env"

OUT="${HOSTPLANE_ENGINE_DIR:-$HOME/.cache/hostplane/engine}"
TC="${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}"
mkdir -p "$OUT/bin" "$OUT/stamps" "$OUT/logs" "$TC/go"
export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-$TC/go/mod}" GOCACHE="$TC/go/build"
export GOFLAGS="-mod=$MODFLAG" GOSUMDB="${GOSUMDB:-off}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOPROXY="${GOPROXY:-$(go env GOPROXY)}"
unset GOOS GOARCH

exec 9>"$OUT/.lock"
flock -n 9 || { echo "engine/build.sh: another build is running in $OUT (waiting)"; flock 9; }

T0=$(date +%s)
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
human() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
GOVERSION="$(go env GOVERSION)"
SUMMARY=()
FAILED=0

# runc links libseccomp through cgo: gcc, pkg-config and Debian's libseccomp-dev.
cgo_deps() {
  local need=()
  command -v gcc >/dev/null || need+=(gcc libc6-dev)
  command -v pkg-config >/dev/null || need+=(pkg-config)
  pkg-config --exists libseccomp 2>/dev/null || need+=(libseccomp-dev)
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { echo "engine/build.sh: runc needs ${need[*]} (apt-get install them as root)" >&2; return 1; }
  say "installing ${need[*]} (Debian) for runc's cgo build"
  apt-cache policy libseccomp-dev 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

requires() { # GOMOD MODULE VERSION: the wrapper pins what versions.env says
  local m v; m=$(printf '%s' "$2" | sed 's/[.+]/\\&/g'); v=$(printf '%s' "$3" | sed 's/[.+]/\\&/g')
  grep -Eq "^[[:space:]]*(require[[:space:]]+)?${m}[[:space:]]+${v}([[:space:]]|$)" "$1" ||
    { echo "engine/build.sh: $1 does not require $2 $3 (versions.env and the wrapper disagree)" >&2; return 1; }
}

# piece NAME VERSION CGO TAGS LDFLAGS BINARIES PACKAGES...
piece() {
  local name=$1 ver=$2 cgo=$3 tags=$4 ld=$5 bins=$6; shift 6
  local dir="$HERE/$name" log="$OUT/logs/$name.log" k b fresh=1
  local extra=""; [ "$cgo" = 1 ] && extra="seccomp=$(pkg-config --modversion libseccomp 2>/dev/null)"
  k=$( { echo "recipe=$RECIPE go=$GOVERSION cgo=$cgo tags=$tags ld=$ld $extra"; cat "$dir/go.mod" "$dir/go.sum"; } | sha256sum | cut -c1-16)
  for b in $bins; do [ -x "$OUT/bin/$b" ] || fresh=0; done
  if [ "$FORCE" = 0 ] && [ "$fresh" = 1 ] && [ "$(cat "$OUT/stamps/$name" 2>/dev/null)" = "$k" ]; then
    SUMMARY+=("$(printf '%-12s %-8s reused' "$name" "$ver")"); return 0
  fi
  local s; s=$(date +%s)
  say "==> $name $ver ($*)"
  local tmp="$OUT/bin/.tmp-$name"; rm -rf "$tmp"; mkdir -p "$tmp"
  if ! (cd "$dir" && CGO_ENABLED=$cgo go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ld" -o "$tmp/" "$@") >"$log" 2>&1; then
    tail -n 30 "$log" >&2; SUMMARY+=("$(printf '%-12s %-8s FAILED   see %s' "$name" "$ver" "$log")"); return 1
  fi
  for b in $bins; do mv -f "$tmp/$b" "$OUT/bin/$b"; done
  rm -rf "$tmp"
  echo "$k" >"$OUT/stamps/$name"
  local d=$(($(date +%s) - s))
  say "    $name built in $(human $d)"
  SUMMARY+=("$(printf '%-12s %-8s built    %s' "$name" "$ver" "$(human $d)")")
}

say "engine dir: $OUT; go: $GOVERSION; module cache: $GOMODCACHE"
requires "$HERE/dockerd/go.mod" github.com/docker/docker "v$DOCKER_VERSION+incompatible"
requires "$HERE/cli/go.mod" github.com/docker/cli "v$CLI_VERSION+incompatible"
requires "$HERE/containerd/go.mod" github.com/containerd/containerd/v2 "v$CONTAINERD_VERSION"
requires "$HERE/runc/go.mod" github.com/opencontainers/runc "v$RUNC_VERSION"
cgo_deps

M=github.com/docker/docker/dockerversion
piece dockerd "$DOCKER_VERSION" 0 "" \
  "-s -w -X $M.Version=$DOCKER_VERSION -X $M.GitCommit=v$DOCKER_VERSION -X '$M.PlatformName=Docker Engine - hostplane offline build'" \
  "dockerd docker-proxy" github.com/docker/docker/cmd/dockerd github.com/docker/docker/cmd/docker-proxy || FAILED=1
C=github.com/docker/cli/cli/version
piece cli "$CLI_VERSION" 0 "" "-s -w -X $C.Version=$CLI_VERSION -X $C.GitCommit=v$CLI_VERSION" \
  docker github.com/docker/cli/cmd/docker || FAILED=1
V=github.com/containerd/containerd/v2/version
piece containerd "$CONTAINERD_VERSION" 0 "" "-s -w -X $V.Version=v$CONTAINERD_VERSION -X $V.Revision=v$CONTAINERD_VERSION" \
  "containerd containerd-shim-runc-v2" github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 || FAILED=1
piece runc "$RUNC_VERSION" 1 seccomp "-s -w -X main.version=$RUNC_VERSION -X main.gitCommit=v$RUNC_VERSION" \
  runc github.com/opencontainers/runc || FAILED=1

echo
printf '%s\n' "${SUMMARY[@]}"
say "total $(human $(($(date +%s) - T0))); $(du -sh "$OUT/bin" | cut -f1) in $OUT/bin"
[ "$FAILED" = 0 ] || exit 1
"$OUT/bin/dockerd" --version
"$OUT/bin/docker" --version
"$OUT/bin/containerd" --version
"$OUT/bin/runc" --version | sed -n 1p  # sed reads to the end: head could SIGPIPE runc under pipefail
