#!/usr/bin/env bash
# Build inputs that are not Debian packages: the jars of maven.lock, into DEST/libs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/../fetch-maven.sh" "$here/maven.lock" "$1/libs"
