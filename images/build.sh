#!/usr/bin/env bash
# Build hostplane's air-gapped images from Debian packages only (no registry needed): the
# `local-build` image source of a stack (config/image-source.ts) and the e2e tier use them.
#
#   images/build.sh                       # base + all images
#   images/build.sh redis nginx           # base + the named images (every tag of each)
#   images/build.sh postgres:1=REF        # base + one image, also tagged REF (what the stack uses)
#   FORCE=1 images/build.sh               # rebuild even if up to date
#   images/build.sh --fetch-only [NAME..] # only the recipes' non-Debian inputs (fetch.sh), no engine
#   images/build.sh --base-tarball        # only the debootstrap tarball, no engine; prints its path
#                                         # (scripts/testhost/ builds test-host root filesystems on it)
#
# The docker CLI's DOCKER_HOST decides where the images are built: the target host's engine.
# Base: `debootstrap --variant=minbase bookworm` from the Debian mirror apt
# uses, cached as a tarball in $HOSTPLANE_IMAGE_CACHE, imported as
# hostplane-local/debian:bookworm. Every image is FROM that base and installs
# its packages with apt-get during the build.
#
# Idempotent: each image carries a label hostplane.e2e.hash = hash of its
# build context + build args + base image id; an image whose label matches is
# skipped. An interrupted run leaves no half-built image: docker tags an image
# only when its build succeeded, the rootfs tarball is renamed into place only
# when complete, and the next run removes leftovers of an interrupted one.
#
# Env: HOSTPLANE_IMAGE_CACHE (~/.cache/hostplane/images), DEBIAN_MIRROR,
#      DEBIAN_SECURITY_MIRROR, BUILD_NETWORK (default: bridge, falls back to
#      host if the build container cannot reach the mirror), FORCE, SKIP_RECIPES (names left
#      out when none are given: CI builds seaweedfs once its Go build is done).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
PREFIX="hostplane-local"
# Older name of the same images, still tagged so that stacks and tests written for it keep working.
COMPAT_PREFIX="hostplane-e2e"
SUITE="bookworm"
BASE_IMAGE="$PREFIX/debian:$SUITE"
CACHE="${HOSTPLANE_IMAGE_CACHE:-$HOME/.cache/hostplane/images}"
LABEL="hostplane.e2e.hash"
# Bump when the base rootfs recipe below changes.
BASE_RECIPE_VERSION=1

# name:tag:build-args(comma separated) ; context dir = $HERE/<name>
IMAGES=(
  "nginx:1:"
  "postgres:1:"
  "pgbouncer:1:"
  "redis:1:"
  "prometheus:1:"
  "alertmanager:1:"
  "node-exporter:1:"
  "postgres-exporter:1:"
  "redis-exporter:1:"
  "blackbox-exporter:1:"
  "rabbitmq:1:"
  "kafka:1:"
  "seaweedfs:1:"
  "otelcol:1:"
  "victorialogs:1:"
  "python:1:"
  "demo-app:1:APP_VERSION=1"
  "demo-app:2:APP_VERSION=2"
)

export DOCKER_BUILDKIT=0 # Debian's engine has no buildx plugin: classic builder
log() { echo "[build] $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

MODE=images
if [ "${1:-}" = "--base-tarball" ]; then MODE=base-tarball; shift; fi
if [ "${1:-}" = "--fetch-only" ]; then MODE=fetch-only; shift; fi

# Every argument must name a recipe: NAME, NAME:TAG or NAME:TAG=REF.
for w in "$@"; do
  known=""
  for spec in "${IMAGES[@]}"; do
    IFS=':' read -r name tag _ <<<"$spec"
    case "${w%%=*}" in "$name" | "$name:$tag") known=1 ;; esac
  done
  [ -n "$known" ] || { log "unknown recipe '${w%%=*}'; recipes: $(printf '%s ' "${IMAGES[@]%%:*}")"; exit 64; }
done

# --- engine ------------------------------------------------------------------
if [ "$MODE" = images ] && ! docker info >/dev/null 2>&1; then
  "$REPO/scripts/docker-engine.sh"
fi

# --- Debian mirror from apt's sources ----------------------------------------
# Prints the first URI of a `deb` source whose suite is exactly $1.
mirror_for() {
  local suite="$1" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v want="$suite" '
      function flush() { if (isdeb && hit && uri != "") { print uri; exit 0 } isdeb=0; hit=0; uri="" }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      tolower($1) == "types:"  { for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1 }
      tolower($1) == "uris:"   { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
      tolower($1) == "enabled:" && tolower($2) == "no" { isdeb = 0 }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v want="$suite" '
      $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                    if ($(i+1) == want) { print $i; exit 0 } }' "$f"
  done
}
MIRROR="${DEBIAN_MIRROR:-$(mirror_for "$SUITE" | sed -n 1p)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SEC_MIRROR="${DEBIAN_SECURITY_MIRROR:-$(mirror_for "$SUITE-security" | sed -n 1p)}"
log "Debian mirror: $MIRROR${SEC_MIRROR:+ (security: $SEC_MIRROR)}"

image_label() { docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }
image_size_mb() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f", $1/1000000}'; }

# --- base image --------------------------------------------------------------
base_hash() {
  printf '%s\n' "$BASE_RECIPE_VERSION" "$SUITE" minbase "$MIRROR" "$SEC_MIRROR" \
    "$(sed -n '/^write_rootfs_tweaks()/,/^}/p' "${BASH_SOURCE[0]}")" | sha256sum | cut -c1-16
}

# ensure_base_tarball: the debootstrapped rootfs as a tar file, made once per recipe hash.
# Sets BASE_HASH and BASE_TARBALL.
ensure_base_tarball() {
  local t0 hash tarball rootfs
  t0="$(now)"
  hash="$(base_hash)"
  mkdir -p "$CACHE"
  tarball="$CACHE/debian-$SUITE-minbase-$hash.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      log "installing debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
    }
    rootfs="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    log "debootstrap --variant=minbase $SUITE $MIRROR (log: $CACHE/debootstrap.log)"
    if ! debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1; then
      tail -n 20 "$CACHE/debootstrap.log" >&2
      rm -rf "$rootfs"
      exit 1
    fi
    write_rootfs_tweaks "$rootfs"
    tar --numeric-owner --xattrs -C "$rootfs" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    log "debootstrap done in $(elapsed "$t0")s -> $tarball ($(du -m "$tarball" | cut -f1) MB)"
  else
    log "using cached rootfs $tarball"
  fi
  BASE_HASH="$hash"
  BASE_TARBALL="$tarball"
}

build_base() {
  local t0
  t0="$(now)"
  if [ -z "${FORCE:-}" ] && [ -n "$(image_label "$BASE_IMAGE")" ]; then
    # The hash needs no tarball: compute it the way ensure_base_tarball does, without building.
    BASE_HASH="$(base_hash)"
    if [ "$(image_label "$BASE_IMAGE")" = "$BASE_HASH" ]; then
      log "$BASE_IMAGE: up to date"
      docker tag "$BASE_IMAGE" "$COMPAT_PREFIX/debian:$SUITE"
      TIMINGS+=("$BASE_IMAGE|skipped|$(image_size_mb "$BASE_IMAGE")")
      return
    fi
  fi
  ensure_base_tarball
  docker import \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL $LABEL=$BASE_HASH" \
    "$BASE_TARBALL" "$BASE_IMAGE" >/dev/null
  docker tag "$BASE_IMAGE" "$COMPAT_PREFIX/debian:$SUITE"
  TIMINGS+=("$BASE_IMAGE|$(elapsed "$t0")s|$(image_size_mb "$BASE_IMAGE")")
  log "$BASE_IMAGE: imported in $(elapsed "$t0")s"
}

# Make the debootstrapped tree container-friendly (like Debian's docker images).
write_rootfs_tweaks() {
  local r="$1"
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -n "$SEC_MIRROR" ] && echo "deb $SEC_MIRROR $SUITE-security main"
  } >"$r/etc/apt/sources.list"
  # Services must not start during package installs.
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
  chmod 755 "$r/usr/sbin/policy-rc.d"
  cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
  cat >"$r/etc/apt/apt.conf.d/docker-no-recommends" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
  # Drop docs/man/locales from later installs (debian:*-slim does the same).
  cat >"$r/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
    "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/*.bin \
    "$r"/var/log/*.log "$r"/var/log/apt/* "$r"/tmp/* "$r"/var/tmp/*
  : >"$r/etc/resolv.conf"
  : >"$r/etc/machine-id" 2>/dev/null || true
  echo "hostplane-local" >"$r/etc/hostname"
}

# --- does a build container reach the mirror? --------------------------------
pick_network() {
  if [ -n "${BUILD_NETWORK:-}" ]; then echo "$BUILD_NETWORK"; return; fi
  if docker run --rm "$BASE_IMAGE" sh -c 'timeout 60 apt-get update -qq >/dev/null 2>&1' >/dev/null 2>&1; then
    echo default
  else
    log "build container cannot reach $MIRROR on the bridge network; using --network=host"
    echo host
  fi
}

# --- one image ---------------------------------------------------------------
build_image() {
  local name="$1" tag="$2" args="$3" extra="${4:-}" ctx="$HERE/$1" ref="$PREFIX/$1:$2" t0 hash a
  local -a bargs=()
  t0="$(now)"
  [ -f "$ctx/Dockerfile" ] || { log "no $ctx/Dockerfile"; exit 1; }
  # A recipe with prepare.sh gets a staged copy of its context, completed by that hook (a binary
  # built from Go modules, cached by its own script), so nothing large lands in the repo.
  if [ -f "$ctx/prepare.sh" ]; then
    local stage="$CACHE/context-$name-$tag"
    rm -rf "$stage" && mkdir -p "$stage" && cp -a "$ctx/." "$stage/"
    bash "$ctx/prepare.sh" "$stage" || { log "$ref: prepare.sh failed"; exit 1; }
    ctx="$stage"
  fi
  IFS=',' read -r -a a <<<"$args"
  for x in "${a[@]}"; do [ -n "$x" ] && bargs+=(--build-arg "$x"); done
  hash="$({
    cd "$ctx" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 stat -c '%a %n' &&
      find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    echo "args=$args"
    docker image inspect -f '{{.Id}}' "$BASE_IMAGE"
  } | sha256sum | cut -c1-16)"
  if [ -z "${FORCE:-}" ] && [ "$(image_label "$ref")" = "$hash" ]; then
    log "$ref: up to date"
    tag_extra "$ref" "$name" "$tag" "$extra"
    TIMINGS+=("$ref|skipped|$(image_size_mb "$ref")")
    return
  fi
  if [ -z "$NETWORK" ]; then
    NETWORK="$(pick_network)"
    log "build network: $NETWORK"
  fi
  log "$ref: building (log: $CACHE/build-$name-$tag.log)"
  local bctx
  bctx="$(build_context "$name" "$ctx")"
  if ! docker build --network="$NETWORK" "${bargs[@]}" --label "$LABEL=$hash" \
    -t "$ref" "$bctx" >"$CACHE/build-$name-$tag.log" 2>&1; then
    tail -n 30 "$CACHE/build-$name-$tag.log" >&2
    log "$ref: BUILD FAILED"
    exit 1
  fi
  [ "$bctx" = "$ctx" ] || rm -rf "$bctx"
  tag_extra "$ref" "$name" "$tag" "$extra"
  TIMINGS+=("$ref|$(elapsed "$t0")s|$(image_size_mb "$ref")")
  log "$ref: built in $(elapsed "$t0")s"
}

# The build context of a recipe: its directory, or, when it has a fetch.sh (inputs that are not
# Debian packages: jars from Maven Central, a binary built from Go modules), a copy of it that the
# script completed. The recipe's hash covers fetch.sh and its lock files, so pins are in the tag.
build_context() { # NAME [CTX]: CTX (default images/NAME) may be prepare.sh's staged copy
  local name="$1" ctx="${2:-$HERE/$1}" tmp t0
  if [ ! -f "$ctx/fetch.sh" ]; then echo "$ctx"; return; fi
  t0="$(now)"
  tmp="$(mktemp -d "$CACHE/context-$name.XXXXXX")"
  cp -a "$ctx/." "$tmp/"
  bash "$ctx/fetch.sh" "$tmp" >&2
  log "$name: build inputs fetched in $(elapsed "$t0")s"
  echo "$tmp"
}

# --fetch-only: every fetch.sh of the named recipes (all without names), no engine needed: CI
# runs it while Go compiles.
fetch_only() {
  local d tmp
  for d in "$HERE"/*/; do
    d="${d%/}"
    [ -f "$d/fetch.sh" ] || continue
    if [ "$#" -gt 0 ]; then
      case " $* " in *" $(basename "$d") "*) ;; *) continue ;; esac
    fi
    tmp="$(mktemp -d "$CACHE/context-fetch.XXXXXX")"
    bash "$d/fetch.sh" "$tmp" || { rm -rf "$tmp"; exit 1; }
    rm -rf "$tmp"
  done
}

# The reference a stack asked for (content-addressed, see config/image-recipes.ts) and the old name.
tag_extra() {
  local ref="$1" name="$2" tag="$3" extra="$4"
  docker tag "$ref" "$COMPAT_PREFIX/$name:$tag"
  if [ -n "$extra" ]; then docker tag "$ref" "$extra"; fi
}

# Leftovers of an interrupted run: a half-written rootfs or tarball is never reused.
clean_leftovers() {
  find "$CACHE" -maxdepth 1 \( -name 'rootfs.*' -o -name '*.tar.tmp' -o -name 'context-*' \) -mmin +1 -exec rm -rf {} + 2>/dev/null || true
}

# --- main --------------------------------------------------------------------
TIMINGS=()
T_ALL="$(now)"
mkdir -p "$CACHE"
clean_leftovers
if [ "$MODE" = fetch-only ]; then
  fetch_only "$@"
  exit 0
fi
if [ "$MODE" = base-tarball ]; then
  ensure_base_tarball
  echo "$BASE_TARBALL"
  exit 0
fi
build_base
NETWORK=""
for spec in "${IMAGES[@]}"; do
  IFS=':' read -r name tag args <<<"$spec"
  want="" extra=""
  case " ${SKIP_RECIPES:-} " in *" $name "*) skip=1 ;; *) skip="" ;; esac
  if [ "$#" -eq 0 ] && [ -z "$skip" ]; then want=1; fi
  for w in "$@"; do
    case "$w" in
      "$name" | "$name:$tag") want=1 ;;
      "$name:$tag="*) want=1; extra="${w#*=}" ;;
    esac
  done
  [ -n "$want" ] || continue
  build_image "$name" "$tag" "$args" "$extra"
done
echo
printf '%-40s %10s %8s\n' IMAGE TIME SIZE_MB
for row in "${TIMINGS[@]}"; do
  IFS='|' read -r r t s <<<"$row"
  printf '%-40s %10s %8s\n' "$r" "$t" "$s"
done
echo "total: $(elapsed "$T_ALL")s"
