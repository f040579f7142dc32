#!/usr/bin/env bash
# CI only (.github/workflows/pr.yml): posts a stack's preview comment on the pull request, or
# edits the one posted before (found by its hidden marker, lib/pr-comment/comment.ts), so each
# stack keeps one comment. Needs the GitHub CLI (gh) and GH_TOKEN.
#
#   bash scripts/pr-comment-post.sh <owner/repo> <pr number> <stack> <comment.md>
set -euo pipefail

repo="${1:?usage: pr-comment-post.sh <owner/repo> <pr> <stack> <file>}"
pr="${2:?pr number}"
stack="${3:?stack}"
file="${4:?comment file}"
marker="<!-- hostplane-preview: $stack -->"

id="$(gh api --paginate "repos/$repo/issues/$pr/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | sed -n 1p)"
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$id" -F "body=@$file" >/dev/null
  echo "updated comment $id for stack $stack"
else
  gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$file" >/dev/null
  echo "posted the comment for stack $stack"
fi
