#!/bin/sh
# Subset of the official nginx image's entrypoint: when the command is nginx,
# run /docker-entrypoint.d/*.sh, and render /etc/nginx/templates/*.template
# into /etc/nginx/conf.d with envsubst (only variables that are set).
set -e

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then say() { echo "$0: $*" >&2; }; else say() { :; }; fi

  tdir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  odir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  if [ -d "$tdir" ]; then
    # envsubst's SHELL-FORMAT: the literal text ${NAME} for every variable set.
    # shellcheck disable=SC2016
    defined="$(env | cut -d= -f1 | while read -r name; do printf '${%s} ' "$name"; done)"
    find "$tdir" -follow -type f -name "*$suffix" -print | while read -r t; do
      rel="${t#"$tdir/"}"
      out="$odir/${rel%"$suffix"}"
      mkdir -p "$(dirname "$out")"
      say "Running envsubst on $t to $out"
      envsubst "$defined" <"$t" >"$out"
    done
  fi

  for f in $(find /docker-entrypoint.d/ -follow -type f -name '*.sh' 2>/dev/null | sort); do
    if [ -x "$f" ]; then say "Launching $f"; "$f"; else say "Ignoring $f, not executable"; fi
  done
  say "Configuration complete; ready for start up"
fi

exec "$@"
