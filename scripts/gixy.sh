#!/usr/bin/env bash
# gixy-ng (PyPI, pinned): the static nginx analyzer tests/gixy.test.ts runs on every rendered
# nginx.conf. Installed into its own virtualenv under the shared cache, once per version.
set -euo pipefail
GIXY_VERSION=0.2.59
venv="${HOSTPLANE_CACHE:-$HOME/.cache/hostplane}/gixy-venv"
if [ -x "$venv/bin/gixy" ] && "$venv/bin/pip" show gixy-ng 2>/dev/null | grep -qx "Version: $GIXY_VERSION"; then
  echo "gixy-ng $GIXY_VERSION already in $venv"
  exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "gixy-ng==$GIXY_VERSION"
"$venv/bin/gixy" --version
