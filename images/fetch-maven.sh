#!/usr/bin/env bash
# Downloads the jars a recipe's maven.lock names from Maven Central into a version-keyed cache
# (each file once, checked against its sha256) and copies them into a build context.
#
#   images/fetch-maven.sh images/kafka/maven.lock DEST_DIR
#
# Env: HOSTPLANE_IMAGE_CACHE (~/.cache/hostplane/images; jars under maven/), MAVEN_REPO_URL.
set -euo pipefail
lock="$1" dest="$2"
repo="${MAVEN_REPO_URL:-https://repo1.maven.org/maven2}"
cache="${HOSTPLANE_IMAGE_CACHE:-$HOME/.cache/hostplane/images}/maven"
mkdir -p "$dest"
n=0 got=0
while read -r rel sha size; do
  case "$rel" in '' | '#'*) continue ;; esac
  n=$((n + 1))
  f="$cache/$rel"
  if [ ! -s "$f" ] || [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$sha" ]; then
    mkdir -p "$(dirname "$f")"
    curl -fsSL --retry 3 --max-time 300 -o "$f.part" "$repo/$rel"
    actual="$(sha256sum "$f.part" | cut -d' ' -f1)"
    if [ "$actual" != "$sha" ]; then
      rm -f "$f.part"
      echo "fetch-maven.sh: $rel: sha256 $actual, expected $sha (from $lock)" >&2
      exit 1
    fi
    mv "$f.part" "$f"
    got=$((got + 1))
  fi
  [ "$(stat -c %s "$f")" = "$size" ] || { echo "fetch-maven.sh: $rel: size differs from $lock" >&2; exit 1; }
  cp "$f" "$dest/"
done <"$lock"
echo "fetch-maven.sh: $n jars ($got downloaded, $((n - got)) cached) -> $dest" >&2
