#!/bin/sh
# Same behaviour as the official redis image's entrypoint.
set -e

# first arg is `-f` or `--some-option`, or a .conf file
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = 'redis-server' ]; then
  # The official image builds redis with protected-mode off by default;
  # Debian's keeps it on. Pass it unless the args or config file set it.
  shift
  want=1
  case " $* " in *" --protected-mode "*) want= ;; esac
  if [ -n "$want" ] && [ "${1%.conf}" != "${1:-}" ] && [ -f "$1" ] && grep -qiE '^[[:space:]]*protected-mode' "$1"; then
    want=
  fi
  if [ -n "$want" ]; then
    if [ "${1%.conf}" != "${1:-}" ]; then
      conf="$1"; shift
      set -- redis-server "$conf" --protected-mode no "$@"
    else
      set -- redis-server --protected-mode no "$@"
    fi
  else
    set -- redis-server "$@"
  fi
fi

um="$(umask)"
if [ "$um" = '0022' ]; then umask 0077; fi

exec "$@"
