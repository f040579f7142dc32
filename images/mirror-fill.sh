#!/usr/bin/env bash
# Fill a private mirror registry (hostplane:images.mirror) with every image a stack runs, so that
# air-gapped hosts pull only from the mirror. One line per image; the mirror reference comes from
# cli/mirror.ts (the same rewrite the program does: config/image-mirror.ts).
#
#   images/mirror-fill.sh --stack production --from pull          # on a machine that reaches the
#                                                                 # images' registries
#   images/mirror-fill.sh --stack production --from local-build   # stand-ins built from Debian
#                                                                 # packages (images/build.sh)
#   images/mirror-fill.sh --stack production --from local         # images already on this engine
#                                                                 # (built or `docker load`ed)
#   images/mirror-fill.sh --stack production --dry-run            # print the plan only
#
# Log in to the mirror first (`docker login registry.internal:5000`; DOCKER_CONFIG is honoured).
# An image without a recipe fails --from local-build (named, with its config key); the others are
# still pushed, and the script exits 1 at the end. Pushed references print their digest, which is
# what `pulumi preview` will show for the apps.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="" FROM="" DRY=0
while [ $# -gt 0 ]; do
  case $1 in
    --stack) STACK="${2:?--stack needs a name}"; shift 2 ;;
    --from) FROM="${2:?--from needs pull or local-build}"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "mirror-fill: unknown argument: $1" >&2; exit 64 ;;
  esac
done
[ -n "$STACK" ] || { echo "mirror-fill: --stack is required" >&2; exit 64; }
case "$FROM:$DRY" in pull:*|local-build:*|local:*|*:1) ;; *) echo "mirror-fill: --from must be pull, local-build or local (or use --dry-run)" >&2; exit 64 ;; esac

plan="$(cd "$REPO" && node -r ts-node/register/transpile-only cli/mirror.ts plan --stack "$STACK")"
failed=0
while IFS=$'\t' read -r to from recipe key; do
  [ -n "$to" ] || continue
  if [ "$DRY" = 1 ]; then printf '%s <- %s (recipe: %s; %s)\n' "$to" "$from" "$recipe" "$key"; continue; fi
  if [ "$FROM" = pull ]; then
    if ! { docker pull -q "$from" >/dev/null && docker tag "$from" "$to"; }; then
      echo "mirror-fill: could not pull $from ($key)" >&2; failed=1; continue
    fi
  elif [ "$FROM" = local ]; then
    docker tag "$from" "$to" 2>/dev/null || { echo "mirror-fill: $from ($key) is not on this engine (build or load it, or use --from pull)" >&2; failed=1; continue; }
  elif [ "$recipe" = - ]; then
    echo "mirror-fill: $from ($key) has no local-build recipe (images/README.md); fill it with --from pull on a connected machine" >&2
    failed=1; continue
  else
    bash "$REPO/images/build.sh" "$recipe=$to" >&2 || { echo "mirror-fill: building $recipe for $from ($key) failed" >&2; failed=1; continue; }
  fi
  digest="$(docker push "$to" | sed -n 's/.*digest: \(sha256:[0-9a-f]\{64\}\).*/\1/p' || true)"
  [ -n "$digest" ] || { echo "mirror-fill: pushing $to failed" >&2; failed=1; continue; }
  printf '%s@%s <- %s\n' "$to" "$digest" "$from"
done <<<"$plan"
exit "$failed"
