#!/usr/bin/env bash
# Smoke-test the hostplane-local/* images: start each with `docker run -d`,
# wait until it answers, check its contract, remove it. Re-runnable.
# Ports are published on 127.0.0.1 only (base port $SMOKE_PORT_BASE, 27000).
#   images/smoke.sh            # all
#   images/smoke.sh redis      # some
set -uo pipefail

P="hostplane-local"
NAME="hpe2e-smoke"
BASE="${SMOKE_PORT_BASE:-27000}"
TMP="$(mktemp -d)"
PASS=0
FAIL=0
FAILED=()

log() { echo "[smoke] $*" >&2; }
cleanup() {
  docker ps -aq --filter "label=hostplane.e2e.smoke=1" | xargs -r docker rm -f >/dev/null 2>&1
  docker network rm "$NAME-net" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
cleanup_containers() { docker ps -aq --filter "label=hostplane.e2e.smoke=1" | xargs -r docker rm -f >/dev/null 2>&1; }

run() { docker run -d --label hostplane.e2e.smoke=1 "$@"; }

# wait_for SECONDS CMD...: retry CMD every 0.5s
wait_for() {
  local limit="$1" start=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - start)) -ge "$limit" ]; then return 1; fi
    sleep 0.5
  done
}

check() { # check DESCRIPTION CMD...
  local d="$1"
  shift
  local out
  if out="$("$@" 2>&1)"; then
    echo "  ok   $d"
  else
    echo "  FAIL $d"
    [ -n "$out" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/       | /'
    return 1
  fi
}

http_code() { curl -s -o /dev/null -w '%{http_code}' "$1"; }

t_nginx() {
  run --name "$NAME-nginx" -p "127.0.0.1:$((BASE + 80)):80" $P/nginx:1 >/dev/null || return 1
  wait_for 20 curl -fsS "http://127.0.0.1:$((BASE + 80))/" || { docker logs "$NAME-nginx"; return 1; }
  check "serves a page" sh -c "curl -fsS http://127.0.0.1:$((BASE + 80))/ | grep -q 'Welcome to nginx'" &&
    check "nginx -t" docker exec "$NAME-nginx" nginx -t &&
    check "nginx -s reload" docker exec "$NAME-nginx" nginx -s reload &&
    check "curl inside" docker exec "$NAME-nginx" curl -fsS -o /dev/null http://127.0.0.1/ &&
    check "access log on stdout" sh -c "docker logs $NAME-nginx 2>/dev/null | grep -q 'GET / HTTP'" &&
    check "still serving after reload" curl -fsS -o /dev/null "http://127.0.0.1:$((BASE + 80))/" || return 1
  mkdir -p "$TMP/templates"
  # shellcheck disable=SC2016 # literal for the container to expand
  printf 'server { listen 8080; location / { return 200 "hello ${GREETING}\\n"; } }\n' >"$TMP/templates/hello.conf.template"
  chmod -R a+rX "$TMP/templates"
  run --name "$NAME-nginx-tpl" -p "127.0.0.1:$((BASE + 81)):8080" -e GREETING=e2e \
    -v "$TMP/templates:/etc/nginx/templates:ro" $P/nginx:1 >/dev/null || return 1
  wait_for 20 curl -fsS "http://127.0.0.1:$((BASE + 81))/" || { docker logs "$NAME-nginx-tpl"; return 1; }
  check "templates/*.template rendered with envsubst" sh -c "curl -fsS http://127.0.0.1:$((BASE + 81))/ | grep -qx 'hello e2e'" &&
    check "stream module loaded" docker exec "$NAME-nginx" sh -c 'printf "stream { server { listen 9999; return ok; } }\n" >> /etc/nginx/nginx.conf && nginx -t'
}

t_postgres() {
  printf 's3cret-pw\n' >"$TMP/pgpass"
  chmod 644 "$TMP/pgpass"
  mkdir -p "$TMP/initdb"
  echo "CREATE TABLE smoke(x int); INSERT INTO smoke VALUES (42);" >"$TMP/initdb/01-table.sql"
  # shellcheck disable=SC2016 # literal for the container to expand
  printf '#!/bin/bash\necho "init sh ran as $(id -un)" > /tmp/init-sh-ran\n' >"$TMP/initdb/02-note.sh"
  run --name "$NAME-postgres" -p "127.0.0.1:$((BASE + 32)):5432" \
    -e POSTGRES_PASSWORD_FILE=/run/secrets/pgpass -e POSTGRES_USER=app -e POSTGRES_DB=appdb \
    -v "$TMP/pgpass:/run/secrets/pgpass:ro" -v "$TMP/initdb:/docker-entrypoint-initdb.d:ro" \
    $P/postgres:1 >/dev/null || return 1
  # pg_isready over TCP (the init server listens on the socket only)
  wait_for 60 docker exec "$NAME-postgres" pg_isready -h 127.0.0.1 -U app -d appdb ||
    { docker logs "$NAME-postgres"; return 1; }
  # Like the official image, initdb trusts local/loopback connections inside
  # the container; password auth applies to the network, so test through the
  # published port with a client container on the host network.
  local cli="docker run --rm --network host --entrypoint psql"
  check "psql via published port with password from POSTGRES_PASSWORD_FILE" sh -c \
    "$cli -e PGPASSWORD=s3cret-pw $P/postgres:1 -h 127.0.0.1 -p $((BASE + 32)) -U app -d appdb -tAc 'select x from smoke' | grep -qx 42" &&
    check "wrong password rejected" sh -c \
      "! $cli -e PGPASSWORD=wrong $P/postgres:1 -h 127.0.0.1 -p $((BASE + 32)) -U app -d appdb -tAc 'select 1'" &&
    check "initdb.d *.sh ran" docker exec "$NAME-postgres" test -f /tmp/init-sh-ran &&
    check "PGDATA is /var/lib/postgresql/data" docker exec "$NAME-postgres" test -s /var/lib/postgresql/data/PG_VERSION &&
    check "pg_dump | pg_restore round trip" sh -c \
      "docker exec -e PGPASSWORD=s3cret-pw $NAME-postgres sh -c 'pg_dump -h 127.0.0.1 -U app -Fc appdb > /tmp/d && createdb -h 127.0.0.1 -U app copy && pg_restore -h 127.0.0.1 -U app -d copy /tmp/d && psql -h 127.0.0.1 -U app -d copy -tAc \"select x from smoke\"' | grep -qx 42" &&
    check "restart keeps data (no re-init)" sh -c \
      "docker restart $NAME-postgres >/dev/null && sleep 1 && for i in \$(seq 60); do docker exec $NAME-postgres pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done; docker exec -e PGPASSWORD=s3cret-pw $NAME-postgres psql -h 127.0.0.1 -U app -d appdb -tAc 'select count(*) from smoke' | grep -qx 1"
}

t_pgbouncer() {
  # needs postgres: run both on a user network
  docker network create "$NAME-net" >/dev/null 2>&1
  run --name "$NAME-pgdb" --network "$NAME-net" --network-alias db -e POSTGRES_PASSWORD=pw1 \
    $P/postgres:1 >/dev/null || return 1
  cat >"$TMP/pgbouncer.ini" <<'EOF'
[databases]
postgres = host=db port=5432 dbname=postgres
[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = plain
auth_file = /etc/pgbouncer/userlist.txt
pool_mode = transaction
EOF
  echo '"postgres" "pw1"' >"$TMP/userlist.txt"
  chmod 644 "$TMP/pgbouncer.ini" "$TMP/userlist.txt"
  wait_for 60 docker exec "$NAME-pgdb" pg_isready -h 127.0.0.1 || { docker logs "$NAME-pgdb"; return 1; }
  run --name "$NAME-pgbouncer" --network "$NAME-net" -p "127.0.0.1:$((BASE + 64)):6432" \
    -v "$TMP/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro" -v "$TMP/userlist.txt:/etc/pgbouncer/userlist.txt:ro" \
    $P/pgbouncer:1 >/dev/null || return 1
  wait_for 20 docker exec "$NAME-pgbouncer" pg_isready -h 127.0.0.1 -p 6432 ||
    { docker logs "$NAME-pgbouncer"; return 1; }
  check "runs as non-root" sh -c "[ \"\$(docker exec $NAME-pgbouncer id -u)\" != 0 ]" &&
    check "query through pgbouncer" sh -c \
      "docker exec -e PGPASSWORD=pw1 $NAME-pgbouncer psql -h 127.0.0.1 -p 6432 -U postgres -d postgres -tAc 'select 7*6' | grep -qx 42"
}

t_redis() {
  run --name "$NAME-redis" -p "127.0.0.1:$((BASE + 79)):6379" $P/redis:1 \
    redis-server --requirepass r3dis --appendonly yes >/dev/null || return 1
  wait_for 20 sh -c "docker exec $NAME-redis redis-cli -a r3dis --no-auth-warning ping | grep -q PONG" ||
    { docker logs "$NAME-redis"; return 1; }
  check "redis-cli ping with password" sh -c "docker exec $NAME-redis redis-cli -a r3dis --no-auth-warning ping | grep -qx PONG" &&
    check "no password -> NOAUTH" sh -c "docker exec $NAME-redis redis-cli ping 2>&1 | grep -q NOAUTH" &&
    check "via published port from another container" sh -c \
      "docker run --rm --network host $P/redis:1 redis-cli -h 127.0.0.1 -p $((BASE + 79)) -a r3dis --no-auth-warning set k v | grep -qx OK" &&
    check "no password: remote clients allowed (protected mode off, like official)" sh -c \
      "docker run -d --label hostplane.e2e.smoke=1 --name $NAME-redis-open -p 127.0.0.1:$((BASE + 78)):6379 $P/redis:1 >/dev/null && for i in \$(seq 20); do docker run --rm --network host $P/redis:1 redis-cli -h 127.0.0.1 -p $((BASE + 78)) ping 2>&1 | grep -qx PONG && exit 0; sleep 0.5; done; exit 1" &&
    check "runs as redis, data in /data" sh -c \
      "[ \"\$(docker exec $NAME-redis stat -c %U /proc/1)\" = redis ] && [ \"\$(docker exec $NAME-redis stat -c %U /data)\" = redis ] && docker exec $NAME-redis test -d /data/appendonlydir"
}

t_prometheus() {
  run --name "$NAME-prometheus" -p "127.0.0.1:$((BASE + 90)):9090" $P/prometheus:1 \
    --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus --web.enable-lifecycle >/dev/null || return 1
  wait_for 30 curl -fsS "http://127.0.0.1:$((BASE + 90))/-/healthy" || { docker logs "$NAME-prometheus"; return 1; }
  check "/-/healthy" curl -fsS -o /dev/null "http://127.0.0.1:$((BASE + 90))/-/healthy" &&
    check "/-/ready" sh -c "for i in \$(seq 30); do curl -fsS -o /dev/null http://127.0.0.1:$((BASE + 90))/-/ready && exit 0; sleep 0.5; done; exit 1" &&
    check "wget health check inside" docker exec "$NAME-prometheus" wget -q -O /dev/null http://localhost:9090/-/healthy &&
    check "promtool check config" docker exec "$NAME-prometheus" promtool check config /etc/prometheus/prometheus.yml &&
    check "POST /-/reload (lifecycle)" curl -fsS -X POST -o /dev/null "http://127.0.0.1:$((BASE + 90))/-/reload" &&
    check "query API" sh -c "curl -fsS 'http://127.0.0.1:$((BASE + 90))/api/v1/query?query=up' | grep -q '\"status\":\"success\"'" &&
    check "data in /prometheus" docker exec "$NAME-prometheus" test -d /prometheus/wal
}

t_alertmanager() {
  run --name "$NAME-alertmanager" -p "127.0.0.1:$((BASE + 93)):9093" $P/alertmanager:1 >/dev/null || return 1
  wait_for 30 curl -fsS "http://127.0.0.1:$((BASE + 93))/-/healthy" || { docker logs "$NAME-alertmanager"; return 1; }
  check "/-/healthy" curl -fsS -o /dev/null "http://127.0.0.1:$((BASE + 93))/-/healthy" &&
    check "amtool check-config" docker exec "$NAME-alertmanager" amtool check-config /etc/alertmanager/alertmanager.yml &&
    check "amtool status via API" docker exec "$NAME-alertmanager" amtool --alertmanager.url=http://localhost:9093 config show &&
    check "wget inside" docker exec "$NAME-alertmanager" wget -q -O /dev/null http://localhost:9093/-/ready
}

t_node_exporter() {
  run --name "$NAME-node-exporter" -p "127.0.0.1:$((BASE + 91)):9100" $P/node-exporter:1 >/dev/null || return 1
  wait_for 20 curl -fsS -o /dev/null "http://127.0.0.1:$((BASE + 91))/metrics" || { docker logs "$NAME-node-exporter"; return 1; }
  check "/metrics has node_ metrics" sh -c "curl -fsS http://127.0.0.1:$((BASE + 91))/metrics | grep -q '^node_cpu_seconds_total'" &&
    check "wget inside" docker exec "$NAME-node-exporter" wget -q -O /dev/null http://localhost:9100/metrics
}

t_demo_app() {
  local v port
  printf 'topsecret\n' >"$TMP/dbpw"
  chmod 644 "$TMP/dbpw"
  for v in 1 2; do
    port=$((BASE + 800 + v))
    run --name "$NAME-demo$v" -p "127.0.0.1:$port:8000" -e DB_PASSWORD_FILE=/run/secrets/dbpw \
      -v "$TMP/dbpw:/run/secrets/dbpw:ro" $P/demo-app:$v >/dev/null || return 1
    wait_for 20 curl -fsS "http://127.0.0.1:$port/health" || { docker logs "$NAME-demo$v"; return 1; }
    check "v$v /health ok" sh -c "curl -fsS http://127.0.0.1:$port/health | grep -qx ok" &&
      check "v$v / reports VERSION=$v and secret name, not value" sh -c \
        "curl -fsS http://127.0.0.1:$port/ | grep -q '\"version\": \"$v\"' && curl -fsS http://127.0.0.1:$port/ | grep -q '\"secrets\": \[\"DB_PASSWORD\"\]' && ! curl -fsS http://127.0.0.1:$port/ | grep -q topsecret" &&
      check "v$v /status/500 -> 500" bash -c "[ \"\$(http_code http://127.0.0.1:$port/status/500)\" = 500 ]" &&
      check "v$v /metrics counter" sh -c "curl -fsS http://127.0.0.1:$port/metrics | grep -q '^demo_app_requests_total{path=\"/health\",code=\"200\"} [1-9]'" ||
      return 1
  done
  check "SIGTERM stops within 3s (exit 0)" sh -c \
    "s=\$(date +%s); docker stop -t 10 $NAME-demo1 >/dev/null; e=\$(date +%s); [ \$((e - s)) -le 3 ] && [ \"\$(docker inspect -f '{{.State.ExitCode}}' $NAME-demo1)\" = 0 ]" || return 1
  run --name "$NAME-demofail" -p "127.0.0.1:$((BASE + 809)):8000" -e FAIL_HEALTH=1 -e PORT=8000 $P/demo-app:1 >/dev/null || return 1
  wait_for 20 curl -sS -o /dev/null "http://127.0.0.1:$((BASE + 809))/" || return 1
  check "FAIL_HEALTH=1 -> /health 503" bash -c "[ \"\$(http_code http://127.0.0.1:$((BASE + 809))/health)\" = 503 ]" &&
    run --name "$NAME-demoport" -p "127.0.0.1:$((BASE + 810)):9000" -e PORT=9000 $P/demo-app:2 >/dev/null &&
    wait_for 20 curl -fsS "http://127.0.0.1:$((BASE + 810))/health" &&
    check "PORT=9000 honoured" curl -fsS -o /dev/null "http://127.0.0.1:$((BASE + 810))/health"
}
export -f http_code

ALL=(nginx postgres pgbouncer redis prometheus alertmanager node-exporter demo-app)
SEL=("$@")
[ "${#SEL[@]}" -gt 0 ] || SEL=("${ALL[@]}")
cleanup_containers
for img in "${SEL[@]}"; do
  t0=$SECONDS
  echo "== $img"
  if "t_${img//-/_}"; then
    PASS=$((PASS + 1))
    echo "  -> $img passed ($((SECONDS - t0))s)"
  else
    FAIL=$((FAIL + 1))
    FAILED+=("$img")
    echo "  -> $img FAILED ($((SECONDS - t0))s)"
  fi
  cleanup_containers
  docker network rm "$NAME-net" >/dev/null 2>&1 || true
done
echo
echo "images: $PASS passed, $FAIL failed${FAILED:+ (${FAILED[*]})}"
[ "$FAIL" -eq 0 ]
