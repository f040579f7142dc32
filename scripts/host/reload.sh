#!/usr/bin/env bash
# Reload steps of long-running services after their config changed (components/proxy.ts,
# components/monitoring-steps.ts run this text through bash with one call after it). The
# container keeps running: nothing here replaces it.
#
#   nginx_reload CONTAINER         nginx -t first: a bad config fails the step, the old one serves on
#   http_reload CONTAINER PORT     POST /-/reload on loopback inside the container (Prometheus, Alertmanager)
#   restart CONTAINER              for services without a reload (docker restart)
set -euo pipefail

nginx_reload() {
    docker exec "$1" nginx -t -q
    docker exec "$1" nginx -s reload
}

http_reload() {
    docker exec "$1" wget -q -O /dev/null --post-data= "http://127.0.0.1:$2/-/reload"
}

restart() {
    docker restart "$1" >/dev/null
}
