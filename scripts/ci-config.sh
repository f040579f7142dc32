#!/usr/bin/env bash
# CI only: selects a stack and puts the deploy secrets from the GitHub environment into its
# config as Pulumi secrets, in the runner's checkout (nothing is committed):
#
#   HCLOUD_TOKEN     -> hcloud:token            (hcloud hosts)
#   SSH_PRIVATE_KEY  -> hostplane:sshPrivateKey (hcloud and ssh hosts)
#
# An unset or empty variable leaves that key as the stack file has it. The backend comes from
# PULUMI_BACKEND_URL (empty: Pulumi Cloud with PULUMI_ACCESS_TOKEN); passphrase-encrypted stacks
# need PULUMI_CONFIG_PASSPHRASE.
#
#   bash scripts/ci-config.sh <stack> [--create]   # --create: make the stack if it does not exist
set -euo pipefail

stack="${1:?usage: ci-config.sh <stack> [--create]}"
create="${2:-}"
cd "$(dirname "$0")/.."

if [ -n "${PULUMI_BACKEND_URL:-}" ]; then pulumi login "$PULUMI_BACKEND_URL"; else pulumi login; fi
if [ "$create" = --create ]; then
  pulumi stack select --create "$stack"
else
  pulumi stack select "$stack"
fi

if [ -n "${HCLOUD_TOKEN:-}" ]; then
  # From stdin: the value never appears in a process list or the log.
  printf '%s' "$HCLOUD_TOKEN" | pulumi config set --secret --stack "$stack" hcloud:token
  echo "ci-config: hcloud:token set from HCLOUD_TOKEN"
fi
if [ -n "${SSH_PRIVATE_KEY:-}" ]; then
  printf '%s\n' "$SSH_PRIVATE_KEY" | pulumi config set --secret --stack "$stack" hostplane:sshPrivateKey
  echo "ci-config: hostplane:sshPrivateKey set from SSH_PRIVATE_KEY"
fi
