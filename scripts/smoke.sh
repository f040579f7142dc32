#!/usr/bin/env bash
# Smoke checks after `pulumi up`: every routed URL of the stack answers through the proxy.
#
#   bash scripts/smoke.sh --stack staging --insecure     # reads `pulumi stack output --json`
#   bash scripts/smoke.sh --outputs-file outputs.json    # the same JSON from a file ('-': stdin)
#
# URLs come from the stack output `outputs.environments.<env>.apps.<app>.urls` (one per route).
# For each host: https://<host>/healthz must answer 200 (nginx itself, see render/nginx.ts); for
# each route URL: any status below 500 passes (the proxy reached the app: 401 behind basic auth,
# a 404 of the app's own are fine); 5xx or no answer fails: 502/504 are the proxy's "cannot reach
# the app" pages. Each check is retried (--retries, --delay) before it counts as failed.
#
# When the outputs carry the server's address (`outputs.host.ipv4`, Hetzner hosts), curl is
# pointed at it with --resolve, so checks do not wait for DNS. --insecure accepts the self-signed
# certificate of tls.mode selfsigned (staging). Exit 0 when every check passed, 1 otherwise.
set -euo pipefail

stack="" outputs_file="" insecure=0 retries=10 delay=6 timeout=10
usage() { echo "usage: smoke.sh [--stack <name> | --outputs-file <file|->] [--insecure] [--retries N] [--delay SECONDS] [--timeout SECONDS]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack="${2:?}"; shift 2 ;;
    --outputs-file) outputs_file="${2:?}"; shift 2 ;;
    --insecure) insecure=1; shift ;;
    --retries) retries="${2:?}"; shift 2 ;;
    --delay) delay="${2:?}"; shift 2 ;;
    --timeout) timeout="${2:?}"; shift 2 ;;
    *) usage ;;
  esac
done

if [ -n "$outputs_file" ]; then
  if [ "$outputs_file" = - ]; then json="$(cat)"; else json="$(cat "$outputs_file")"; fi
elif [ -n "$stack" ]; then
  json="$(pulumi stack output --json --stack "$stack")"
else
  usage
fi

# Lines "ip <address>" (at most one) and "url <url>", from the outputs JSON.
# shellcheck disable=SC2016 # JavaScript, not shell: nothing to expand
plan="$(printf '%s' "$json" | node -e '
  const all = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const o = all.outputs ?? all;
  if (o.host && typeof o.host.ipv4 === "string" && o.host.ipv4) console.log(`ip ${o.host.ipv4}`);
  const urls = new Set();
  for (const env of Object.values(o.environments ?? {}))
    for (const app of Object.values(env.apps ?? {}))
      for (const u of app.urls ?? []) urls.add(u);
  for (const u of [...urls].sort()) console.log(`url ${u}`);
')"

ip="$(printf '%s\n' "$plan" | sed -n 's/^ip //p')"
mapfile -t urls < <(printf '%s\n' "$plan" | sed -n 's/^url //p')
if [ ${#urls[@]} -eq 0 ]; then
  echo "smoke: the stack outputs name no routed URL: nothing to check" >&2
  exit 0
fi

curl_opts=(-sS -o /dev/null -w '%{http_code}' --max-time "$timeout")
[ "$insecure" = 1 ] && curl_opts+=(--insecure)

# status <url>: prints the HTTP status ("000": no answer).
status() {
  local url="$1" rest authority host port resolve=()
  rest="${url#*://}"
  authority="${rest%%/*}"
  host="${authority%%:*}"
  if [ "$authority" != "$host" ]; then port="${authority##*:}"; elif [ "${url%%://*}" = https ]; then port=443; else port=80; fi
  [ -n "$ip" ] && resolve=(--resolve "$host:$port:$ip")
  curl "${curl_opts[@]}" "${resolve[@]}" "$url" 2>/dev/null || true
}

# check <what> <url> <predicate>: retries until the predicate accepts the status.
failed=0
check() {
  local what="$1" url="$2" accept="$3" code="" attempt
  for attempt in $(seq 1 "$retries"); do
    code="$(status "$url")"
    if "$accept" "$code"; then
      echo "ok    $code  $what $url"
      return 0
    fi
    [ "$attempt" -lt "$retries" ] && sleep "$delay"
  done
  echo "FAIL  $code  $what $url (after $retries attempts)" >&2
  failed=1
}
is_200() { [ "$1" = 200 ]; }
below_500() { [ "${#1}" = 3 ] && [ "$1" != 000 ] && [ "$1" -lt 500 ]; }

declare -A proxies=()
for url in "${urls[@]}"; do
  base="${url%%://*}://$(printf '%s' "${url#*://}" | cut -d/ -f1)"
  proxies["$base"]=1
done
for base in $(printf '%s\n' "${!proxies[@]}" | sort); do check proxy "$base/healthz" is_200; done
for url in "${urls[@]}"; do check route "$url" below_500; done

if [ "$failed" = 1 ]; then
  echo "smoke: some checks failed" >&2
  exit 1
fi
echo "smoke: ${#urls[@]} route(s) on ${#proxies[@]} host(s) answered"
