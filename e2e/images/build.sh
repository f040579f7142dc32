#!/usr/bin/env bash
# Moved: the recipes are a product feature now (images/). Kept for scripts that still call this path.
exec "$(dirname "$0")/../../images/build.sh" "$@"
