#!/usr/bin/env bash
# Check the toolchain built by scripts/toolchain/build.sh, offline, with a file backend:
#   - `pulumi version` and the language host / plugin versions match versions.env;
#   - a JavaScript and a TypeScript program run `up`, `preview --expect-no-changes`,
#     `destroy` (config, secrets, a component resource, stack outputs);
#   - with the plugins installed: random.RandomPassword and command.local.Command
#     (`echo hi`) in the JS program; the docker provider starts, and when a Docker
#     daemon answers, a docker.Network and a docker.Volume are created and destroyed;
#     when the image $HOSTPLANE_VERIFY_IMAGE (default hostplane-e2e/debian:bookworm,
#     built by images/build.sh) is present locally, also a docker.Container with
#     uploads, a healthcheck, wait, networksAdvanced, labels and logOpts, whose
#     memory is then changed (must update in place: same container id).
# Pieces whose plugin is missing are reported as skipped.
#
# Usage: scripts/toolchain/verify.sh [--keep]   (node_modules: $HOSTPLANE_NODE_MODULES,
#        default: the repo's node_modules, which must be installed with `npm ci`)
# "check && ok … || bad …" throughout: ok() always succeeds, so bad runs only when the check failed.
# shellcheck disable=SC2015
set -uo pipefail

TC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$TC/../.." && pwd)"
KEEP=0; [ "${1:-}" = --keep ] && KEEP=1
# shellcheck source=versions.env
. "$TC/versions.env"
# shellcheck source=../pulumi-env.sh
. "$REPO/scripts/pulumi-env.sh"

NM="${HOSTPLANE_NODE_MODULES:-$REPO/node_modules}"
[ -d "$NM/@pulumi/pulumi" ] || { echo "verify.sh: $NM/@pulumi/pulumi missing: run npm ci in $REPO" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hostplane-verify.XXXXXX")
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
export PULUMI_BACKEND_URL="file://$WORK/state" PULUMI_CONFIG_PASSPHRASE=test
mkdir -p "$WORK/state"

PASS=0; FAIL=0; SKIP=0
ok() { PASS=$((PASS + 1)); printf '  ok    %s\n' "$1"; }
bad() { FAIL=$((FAIL + 1)); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && sed 's/^/        /' "$2" | tail -n 25; }
skip() { SKIP=$((SKIP + 1)); printf '  skip  %s\n' "$1"; }
run() { # run LABEL CMD... : output kept in $WORK/last.log
  local s; s=$(date +%s)
  if "${@:2}" >"$WORK/last.log" 2>&1; then ok "$1 ($(( $(date +%s) - s ))s)"; return 0; fi
  bad "$1" "$WORK/last.log"; return 1
}
has_plugin() { [ -x "$PULUMI_HOME/plugins/resource-$1-v$2/pulumi-resource-$1" ]; }

echo "toolchain: $(command -v pulumi) ($HOSTPLANE_PULUMI_SOURCE), PULUMI_HOME=${PULUMI_HOME:-~/.pulumi}"

# --- versions ---------------------------------------------------------------
v=$(pulumi version 2>&1)
[ "$v" = "v$PULUMI_VERSION" ] && ok "pulumi version $v" || bad "pulumi version: got '$v', want v$PULUMI_VERSION"
pulumi plugin ls >"$WORK/plugins.txt" 2>&1 || true
sed 's/^/        /' "$WORK/plugins.txt"
for p in docker random command; do
  up=$(echo "$p" | tr '[:lower:]' '[:upper:]'); pv_var="${up}_VERSION"; pv="${!pv_var}"
  if has_plugin "$p" "$pv"; then
    grep -Eq "^${p}[[:space:]]+resource[[:space:]]+$pv" "$WORK/plugins.txt" && ok "plugin ls lists $p $pv" || bad "plugin ls does not list $p $pv"
  else
    skip "plugin $p $pv is not installed"
  fi
done

# --- docker provider starts -------------------------------------------------
if has_plugin docker "$DOCKER_VERSION"; then
  # A provider prints its gRPC port on stdout and then serves until killed.
  port=$(timeout 10 "$PULUMI_HOME/plugins/resource-docker-v$DOCKER_VERSION/pulumi-resource-docker" 2>"$WORK/docker.err" | head -n 1)
  [[ "$port" =~ ^[0-9]+$ ]] && ok "pulumi-resource-docker starts (port $port)" || bad "pulumi-resource-docker did not print a port" "$WORK/docker.err"
fi
DOCKER_OK=0
if has_plugin docker "$DOCKER_VERSION" && command -v docker >/dev/null && docker info >/dev/null 2>&1; then DOCKER_OK=1; fi
DOCKER_IMAGE="${HOSTPLANE_VERIFY_IMAGE:-hostplane-e2e/debian:bookworm}"
DOCKER_CTR=0 # the container check needs an image that is already local (no pulls)
if [ "$DOCKER_OK" = 1 ] && docker image inspect "$DOCKER_IMAGE" >/dev/null 2>&1; then DOCKER_CTR=1; fi

# --- projects -----------------------------------------------------------------
project() { # DIR NAME TYPESCRIPT
  mkdir -p "$1"; ln -s "$NM" "$1/node_modules"
  cat >"$1/Pulumi.yaml" <<EOF
name: $2
runtime:
  name: nodejs
  options:
    typescript: $3
EOF
}

JS="$WORK/js"; project "$JS" hostplane-verify-js false
deps='"@pulumi/pulumi": "*"'
res=""
if has_plugin random "$RANDOM_VERSION"; then
  deps="$deps, \"@pulumi/random\": \"*\""
  res="$res
const random = require(\"@pulumi/random\");
const pw = new random.RandomPassword(\"pw\", { length: 20, special: false });
exports.pwLength = pw.result.apply(r => r.length);"
else skip "random.RandomPassword (plugin random $RANDOM_VERSION missing)"; fi
if has_plugin command "$COMMAND_VERSION"; then
  deps="$deps, \"@pulumi/command\": \"*\""
  res="$res
const command = require(\"@pulumi/command\");
const hi = new command.local.Command(\"hi\", { create: \"echo hi\" });
exports.hi = hi.stdout;"
else skip "command.local.Command (plugin command $COMMAND_VERSION missing)"; fi
if [ "$DOCKER_OK" = 1 ]; then
  deps="$deps, \"@pulumi/docker\": \"*\""
  res="$res
const docker = require(\"@pulumi/docker\");
const net = new docker.Network(\"net\", { name: \"hostplane-verify-$$\" });
const vol = new docker.Volume(\"vol\", { name: \"hostplane-verify-$$\" });
exports.network = net.name;"
  if [ "$DOCKER_CTR" = 1 ]; then
    res="$res
const mem = Number(cfg.get(\"dockerMemory\") || 64);
const ctr = new docker.Container(\"ctr\", {
  name: \"hostplane-verify-$$\", image: \"$DOCKER_IMAGE\", command: [\"sleep\", \"infinity\"],
  envs: [\"HOSTPLANE_VERIFY=1\"], labels: [{ label: \"hostplane.verify\", value: \"1\" }],
  uploads: [{ file: \"/etc/hostplane/ok\", content: \"ok\" }],
  healthcheck: { tests: [\"CMD\", \"test\", \"-f\", \"/etc/hostplane/ok\"], interval: \"1s\", timeout: \"2s\", retries: 3, startPeriod: \"1s\" },
  wait: true, waitTimeout: 30,
  networksAdvanced: [{ name: net.name, aliases: [\"verify\"] }],
  volumes: [{ volumeName: vol.name, containerPath: \"/data\" }],
  logDriver: \"json-file\", logOpts: { \"max-size\": \"1m\" },
  memory: mem, memorySwap: mem * 2, // memorySwap unset reads back as 2x memory: a diff after every create
  destroyGraceSeconds: 1, mustRun: true,
});
exports.containerId = ctr.id;"
  else skip "docker.Container (image $DOCKER_IMAGE is not local; run images/build.sh)"; fi
elif has_plugin docker "$DOCKER_VERSION"; then skip "docker.Network (no Docker daemon answers)"
else skip "docker.Network (plugin docker $DOCKER_VERSION missing)"; fi
echo "{\"name\": \"hostplane-verify-js\", \"main\": \"index.js\", \"dependencies\": {$deps}}" >"$JS/package.json"
cat >"$JS/index.js" <<EOF
const pulumi = require("@pulumi/pulumi");
const cfg = new pulumi.Config();
class Box extends pulumi.ComponentResource {
  constructor(name, opts) { super("hostplane:verify:Box", name, {}, opts); this.registerOutputs({}); }
}
new Box("box");
exports.greeting = "hello " + cfg.require("who");
exports.secret = cfg.requireSecret("token");
$res
EOF

TS="$WORK/ts"; project "$TS" hostplane-verify-ts true
echo '{"name": "hostplane-verify-ts", "main": "index.ts", "dependencies": {"@pulumi/pulumi": "*"}}' >"$TS/package.json"
cat >"$TS/index.ts" <<'EOF'
import * as pulumi from "@pulumi/pulumi";
interface Settings { who: string }
const settings: Settings = { who: new pulumi.Config().require("who") };
class Box extends pulumi.ComponentResource {
  constructor(name: string) { super("hostplane:verify:Box", name, {}, {}); this.registerOutputs({}); }
}
new Box("box");
export const greeting: string = `hello ${settings.who}`;
EOF

for dir in "$JS" "$TS"; do
  name=$(basename "$dir")
  echo "$name program:"
  ( cd "$dir" || exit 1
    pulumi stack init dev >/dev/null 2>&1
    pulumi config set who world >/dev/null
    pulumi config set --secret token s3cr3t >/dev/null
    run "$name: pulumi up --yes --skip-preview" pulumi up --yes --skip-preview --non-interactive
    pulumi stack output --json --show-secrets >"$WORK/out-$name.json" 2>&1
    grep -q '"greeting": "hello world"' "$WORK/out-$name.json" && ok "$name: stack output greeting" || bad "$name: stack outputs" "$WORK/out-$name.json"
    if [ "$name" = js ]; then
      grep -q '"secret": "s3cr3t"' "$WORK/out-$name.json" && ok "js: secret config round-trips" || bad "js: secret output" "$WORK/out-$name.json"
      if has_plugin random "$RANDOM_VERSION"; then grep -q '"pwLength": 20' "$WORK/out-$name.json" && ok "js: RandomPassword length 20" || bad "js: RandomPassword output" "$WORK/out-$name.json"; fi
      if has_plugin command "$COMMAND_VERSION"; then grep -q '"hi": "hi"' "$WORK/out-$name.json" && ok "js: local.Command stdout 'hi'" || bad "js: Command output" "$WORK/out-$name.json"; fi
      if [ "$DOCKER_OK" = 1 ]; then
        docker network inspect "hostplane-verify-$$" >/dev/null 2>&1 && ok "js: docker network exists" || bad "js: docker network missing"
        docker volume inspect "hostplane-verify-$$" >/dev/null 2>&1 && ok "js: docker volume exists" || bad "js: docker volume missing"
      fi
      if [ "$DOCKER_CTR" = 1 ]; then
        st=$(docker inspect "hostplane-verify-$$" --format '{{.State.Health.Status}} {{.HostConfig.LogConfig.Type}} {{index .Config.Labels "hostplane.verify"}}' 2>&1)
        [ "$st" = "healthy json-file 1" ] && ok "js: docker container healthy (uploads, healthcheck, wait, labels, logDriver)" || bad "js: docker container state: $st"
      fi
    fi
    run "$name: pulumi preview --expect-no-changes" pulumi preview --expect-no-changes --non-interactive
    if [ "$name" = js ] && [ "$DOCKER_CTR" = 1 ]; then
      id1=$(docker inspect "hostplane-verify-$$" --format '{{.Id}}' 2>&1)
      pulumi config set dockerMemory 96 >/dev/null
      run "js: docker container memory change: pulumi up" pulumi up --yes --skip-preview --non-interactive
      got=$(docker inspect "hostplane-verify-$$" --format '{{.Id}} {{.HostConfig.Memory}}' 2>&1)
      [ "$got" = "$id1 $((96 * 1024 * 1024))" ] && ok "js: memory updated in place (same container)" || bad "js: after the memory change: '$got', want '$id1 $((96 * 1024 * 1024))'"
      run "js: pulumi preview --expect-no-changes (after the update)" pulumi preview --expect-no-changes --non-interactive
    fi
    run "$name: pulumi destroy --yes" pulumi destroy --yes --skip-preview --non-interactive
    pulumi stack rm --yes dev >/dev/null 2>&1
    echo "$PASS $FAIL $SKIP" >"$WORK/counts"
  )
  read -r PASS FAIL SKIP <"$WORK/counts"
done

echo
echo "verify: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
