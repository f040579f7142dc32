#!/usr/bin/env bash
# Build hostplane's Pulumi toolchain from Go modules (no downloads besides the Go
# module proxy): the `pulumi` CLI, the Node.js language host and the resource
# plugins pinned in scripts/toolchain/versions.env. See scripts/toolchain/README.md.
#
# Usage: scripts/toolchain/build.sh [--force] [--allow-missing-plugins] [--only NAME]...
#   NAME: pulumi | pulumi-language-nodejs | docker | random | command | hcloud
#
# Output (outside the repo), default ${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}:
#   bin/pulumi, bin/pulumi-language-nodejs   the CLI and language host (put on PATH by scripts/pulumi-env.sh)
#   pulumi-home/plugins/resource-NAME-vX.Y.Z  plugins, installed with `pulumi plugin install --file`
#   go/mod, go/build                          Go module and build caches (reused between runs)
#   stamps/, logs/                            what was built from which inputs; build logs
# Each piece is rebuilt only when its inputs (versions.env values, wrapper module
# files, Go version, flags) change. Re-running with nothing changed takes seconds.
#
# Plugins that the Go module proxy does not serve can be installed from release
# files instead: put pulumi-resource-NAME-vX.Y.Z-linux-amd64.tar.gz (or a bare
# pulumi-resource-NAME binary) in $HOSTPLANE_PLUGIN_DIR.
#
# Exit status: 0 all done; 1 a build failed; 2 CLI and language host are ready but
# some plugin could not be built or installed (0 with --allow-missing-plugins).
set -euo pipefail

TC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Bump to force every piece to rebuild when this script's build recipe changes.
RECIPE=1

FORCE=0
ALLOW_MISSING=0
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --allow-missing-plugins) ALLOW_MISSING=1 ;;
    --only) shift; ONLY+=("${1:?--only needs a name}") ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument: $1" >&2; exit 64 ;;
  esac
  shift
done

# shellcheck source=versions.env
. "$TC/versions.env"

OUT="${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}"
BIN="$OUT/bin"
STAMPS="$OUT/stamps"
LOGS="$OUT/logs"
export PULUMI_HOME="$OUT/pulumi-home"
mkdir -p "$BIN" "$STAMPS" "$LOGS" "$PULUMI_HOME/plugins" "$OUT/plugins"

# Go settings: own caches inside $OUT (override GOMODCACHE with HOSTPLANE_GOMODCACHE
# to share the machine's module cache), static binaries, go.sum as the only source of
# truth for module hashes (the checksum database is not reachable from here).
export GOMODCACHE="${HOSTPLANE_GOMODCACHE:-$OUT/go/mod}"
export GOCACHE="$OUT/go/build"
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly"
export GOSUMDB="${GOSUMDB:-off}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOPROXY="${GOPROXY:-$(go env GOPROXY)}"
unset GOOS GOARCH

# Non-interactive, offline Pulumi while installing plugins.
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
  PULUMI_DISABLE_REGISTRY_RESOLVE=true

exec 9>"$OUT/.lock"
if command -v flock >/dev/null; then
  flock -n 9 || { echo "build.sh: another build is running in $OUT (waiting)"; flock 9; }
fi

T0=$(date +%s)
ts() { date +%H:%M:%S; }
say() { printf '[%s] %s\n' "$(ts)" "$*"; }
human() { local s=$1; printf '%dm%02ds' $((s / 60)) $((s % 60)); }
size() { du -sh "$1" 2>/dev/null | cut -f1; }

SUMMARY=()
FAILED=0
MISSING=0
record() { SUMMARY+=("$(printf '%-24s %-9s %-10s %-8s %s' "$1" "$2" "$3" "$4" "${5:-}")"); }

want() {
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local n; for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}

command -v go >/dev/null || { echo "build.sh: go not found on PATH (Go >= 1.25 is needed)" >&2; exit 1; }
GOVERSION="$(go env GOVERSION)"
say "toolchain dir: $OUT"
say "go: $GOVERSION  GOPROXY=$GOPROXY  GOMODCACHE=$GOMODCACHE"

# key NAME FILES... : hash of everything that decides a piece's output.
key() {
  {
    echo "recipe=$RECIPE go=$GOVERSION $(go env GOOS)/$(go env GOARCH) cgo=$CGO_ENABLED"
    printf '%s\n' "${@:2}"
  } | sha256sum | cut -c1-16
}
fresh() { # fresh NAME KEY ARTIFACT
  [ "$FORCE" = 0 ] && [ -e "$3" ] && [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]
}

# requires GOMOD MODULE VERSION : the wrapper's go.mod must pin what versions.env says.
requires() {
  grep -Eq "^[[:space:]]*(require[[:space:]]+)?$2[[:space:]]+$3([[:space:]]|$)" "$1" || {
    echo "build.sh: $1 does not require $2 $3 (versions.env and the wrapper's go.mod disagree)" >&2
    return 1
  }
}

# gobuild NAME WRAPPERDIR OUTPUT LDFLAGS [TAGS]: build the wrapper's main package
# (its own main.go, or the package named by its go.mod `tool` line).
gobuild() {
  local name=$1 dir=$2 out=$3 ldflags=$4 tags=${5:-} pkg=. log="$LOGS/$1.log"
  if ! ls "$dir"/*.go >/dev/null 2>&1; then
    pkg=$(awk '$1 == "tool" { print $2; exit }' "$dir/go.mod")
    [ -n "$pkg" ] || { echo "build.sh: $dir has neither main.go nor a tool line" >&2; return 1; }
  fi
  local s; s=$(date +%s)
  say "  go mod download ($name)"
  if ! (cd "$dir" && go mod download) >"$log" 2>&1; then
    tail -n 20 "$log" >&2; return 1
  fi
  say "  modules ready in $(human $(( $(date +%s) - s ))); compiling $pkg"
  if ! (cd "$dir" && go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$out.tmp" "$pkg") >>"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$out.tmp"; return 1
  fi
  mv -f "$out.tmp" "$out"
}

# ---------------------------------------------------------------------------
# 1. pulumi CLI
build_cli() {
  local dir="$TC/pulumi" out="$BIN/pulumi" v="v$PULUMI_VERSION"
  requires "$dir/go.mod" github.com/pulumi/pulumi/pkg/v3 "$v" || return 1
  requires "$dir/go.mod" github.com/pulumi/pulumi/sdk/v3 "$v" || return 1
  local ld="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"
  local k; k=$(key pulumi "$v" "$ld" "$(cat "$dir/go.mod" "$dir/go.sum")")
  if fresh pulumi "$k" "$out"; then record pulumi "$v" reused - "$(size "$out")"; return 0; fi
  local s; s=$(date +%s)
  say "==> pulumi $v (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)"
  gobuild pulumi "$dir" "$out" "$ld" || { record pulumi "$v" FAILED - "see $LOGS/pulumi.log"; return 1; }
  echo "$k" >"$STAMPS/pulumi"
  local d=$(( $(date +%s) - s ))
  say "    pulumi built in $(human $d) ($(size "$out"))"
  record pulumi "$v" built "$(human $d)" "$(size "$out")"
}

# 2. Node.js language host (ours, see pulumi-language-nodejs/main.go)
build_langhost() {
  local dir="$TC/pulumi-language-nodejs" out="$BIN/pulumi-language-nodejs" v="v$LANGUAGE_NODEJS_VERSION"
  requires "$dir/go.mod" github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_VERSION" || return 1
  local ld="-s -w -X main.version=$LANGUAGE_NODEJS_VERSION"
  local k; k=$(key langhost "$v" "$ld" "$(cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go)")
  if fresh pulumi-language-nodejs "$k" "$out"; then record pulumi-language-nodejs "$v" reused - "$(size "$out")"; return 0; fi
  local s; s=$(date +%s)
  say "==> pulumi-language-nodejs $v (scripts/toolchain/pulumi-language-nodejs)"
  gobuild pulumi-language-nodejs "$dir" "$out" "$ld" || {
    record pulumi-language-nodejs "$v" FAILED - "see $LOGS/pulumi-language-nodejs.log"; return 1; }
  echo "$k" >"$STAMPS/pulumi-language-nodejs"
  local d=$(( $(date +%s) - s ))
  say "    pulumi-language-nodejs built in $(human $d) ($(size "$out"))"
  record pulumi-language-nodejs "$v" built "$(human $d)" "$(size "$out")"
}

# 3. resource plugins
plugin_version_var() { # the -X variable each provider reads its version from
  case $1 in
    docker) echo "main.version" ;; # our own main package (pulumi-resource-docker/)
    random|command|hcloud) echo "main.version" ;; # our own main packages (pulumi-resource-random/, -command/, -hcloud/)
  esac
}
plugin_tags() { if [ "$1" = docker ]; then echo no_compose; fi; }

install_plugin() { # NAME VERSION FILE
  "$BIN/pulumi" plugin install resource "$1" "$2" --file "$3" --reinstall >>"$LOGS/plugin-$1.log" 2>&1
}

build_plugin() {
  local name=$1 upper; upper=$(echo "$1" | tr '[:lower:]' '[:upper:]')
  local ver mod modver
  eval "ver=\${${upper}_VERSION}; mod=\${${upper}_MODULE}; modver=\${${upper}_MODVERSION}"
  local v="v$ver" dir="$TC/pulumi-resource-$name"
  local installed="$PULUMI_HOME/plugins/resource-$name-$v/pulumi-resource-$name"
  local s src k; s=$(date +%s)
  : >"$LOGS/plugin-$name.log"

  # a) a release file supplied by the user
  local pd="${HOSTPLANE_PLUGIN_DIR:-}"
  if [ -n "$pd" ] && { [ -f "$pd/pulumi-resource-$name-$v-linux-amd64.tar.gz" ] || [ -x "$pd/pulumi-resource-$name" ]; }; then
    src="$pd/pulumi-resource-$name-$v-linux-amd64.tar.gz"; [ -f "$src" ] || src="$pd/pulumi-resource-$name"
    k=$(key "$name" "$v" file "$(sha256sum "$src")")
    if fresh "plugin-$name" "$k" "$installed"; then record "$name" "$v" reused - "from $src"; return 0; fi
    say "==> $name $v: installing $src"
    install_plugin "$name" "$ver" "$src" || { tail -n 5 "$LOGS/plugin-$name.log" >&2; record "$name" "$v" FAILED - "install from $src"; return 1; }
    echo "$k" >"$STAMPS/plugin-$name"
    record "$name" "$v" installed "$(human $(( $(date +%s) - s )))" "from $src"
    return 0
  fi

  # b) a wrapper module of ours
  if [ -f "$dir/go.mod" ]; then
    [ -n "$modver" ] && { requires "$dir/go.mod" "$mod" "$modver" || return 1; }
    local ld out="$OUT/plugins/pulumi-resource-$name"
    ld="-s -w -X $(plugin_version_var "$name")=$v"
    k=$(key "$name" "$v" "$ld" "$(cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go "$dir"/*.json "$dir"/*/go.mod "$dir"/*/*.go 2>/dev/null)")
    if fresh "plugin-$name" "$k" "$installed"; then record "$name" "$v" reused - "$(size "$installed")"; return 0; fi
    say "==> $name $v ($mod)"
    gobuild "plugin-$name" "$dir" "$out" "$ld" "$(plugin_tags "$name")" || { record "$name" "$v" FAILED - "see $LOGS/plugin-$name.log"; return 1; }
    install_plugin "$name" "$ver" "$out" || { tail -n 5 "$LOGS/plugin-$name.log" >&2; record "$name" "$v" FAILED - "plugin install"; return 1; }
    echo "$k" >"$STAMPS/plugin-$name"
    local d=$(( $(date +%s) - s ))
    say "    $name built and installed in $(human $d) ($(size "$out"))"
    record "$name" "$v" built "$(human $d)" "$(size "$out")"
    return 0
  fi

  # c) nothing to build from: say whether the proxy serves the module at all.
  say "==> $name $v: no wrapper module in scripts/toolchain/pulumi-resource-$name; asking the proxy for $mod${modver:+@$modver}"
  local probe; probe=$(mktemp -d)
  local q="$mod@${modver:-latest}"
  if (cd "$probe" && GOFLAGS=-mod=mod go mod download -json "$q") >"$LOGS/plugin-$name.log" 2>&1; then
    say "    the proxy serves $q: add a wrapper module in scripts/toolchain/pulumi-resource-$name (see README)"
    record "$name" "$v" MISSING - "module served, no wrapper yet"
  else
    local why; why=$(grep -Eo '[0-9]{3} [A-Z][A-Za-z ]+|server response: [^"]*' "$LOGS/plugin-$name.log" | sed -n 1,2p | tr '\n' ' ' | sed 's/[ .]*$//')
    say "    $q is not served by $GOPROXY: ${why:-see $LOGS/plugin-$name.log}"
    record "$name" "$v" MISSING - "proxy: ${why:-error}"
  fi
  rm -rf "$probe"
  return 2
}

# ---------------------------------------------------------------------------
if want pulumi; then build_cli || FAILED=1; fi
if [ "$FAILED" = 0 ] && want pulumi-language-nodejs; then build_langhost || FAILED=1; fi
if [ "$FAILED" = 0 ]; then
  [ -x "$BIN/pulumi" ] || { echo "build.sh: $BIN/pulumi is missing; build it first (--only pulumi)" >&2; exit 1; }
  for p in docker random command hcloud; do
    want "$p" || continue
    rc=0; build_plugin "$p" || rc=$?
    case $rc in 0) ;; 2) MISSING=1 ;; *) FAILED=1 ;; esac
  done
fi

echo
echo "component                version   status     time     size / note"
printf '%s\n' "${SUMMARY[@]}"
echo
say "total $(human $(( $(date +%s) - T0 ))); output $(size "$OUT") (bin $(size "$BIN"), plugins $(size "$PULUMI_HOME/plugins"), go modules $(size "$GOMODCACHE"), go build cache $(size "$GOCACHE"))"
say "use it: source scripts/pulumi-env.sh"
if [ "$FAILED" != 0 ]; then exit 1; fi
if [ "$MISSING" != 0 ] && [ "$ALLOW_MISSING" = 0 ]; then
  echo "build.sh: some plugins are missing (see above); the engine will not download them." >&2
  exit 2
fi
exit 0
