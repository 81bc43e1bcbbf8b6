#!/usr/bin/env bash
# The scheduled update (.github/workflows/update.yml), runnable by hand: new papers from arXiv,
# completed, checked and built. When something changed it writes the pull request's body to
# $PR_BODY and says changed=true in $GITHUB_OUTPUT; otherwise changed=false, and no pull request.
# Every request to arXiv has a deadline and each command a budget (ATLAS_ARXIV_TIMEOUT,
# ATLAS_ARXIV_BUDGET), so a slow or silent arXiv ends the run in minutes, with an error.
set -euo pipefail
atlas="${ATLAS:-atlas}"
python="${PYTHON:-python3}"
body="${PR_BODY:-pr-body.md}"
output="${GITHUB_OUTPUT:-/dev/null}"
skipped="$(mktemp)"
trap 'rm -f "$skipped"' EXIT

"$atlas" fetch --skipped "$skipped"
"$atlas" enrich
"$atlas" validate
"$atlas" build --strict --quiet

if [ -z "$(git status --porcelain -- content)" ]; then
  echo "changed=false" >> "$output"
  echo "update: nothing new"
  exit 0
fi
mapfile -t added < <(git status --porcelain --untracked-files=all -- content/papers | sed -n 's/^?? //p')
"$python" -m generator.sources.pull_request --skipped "$skipped" "${added[@]}" > "$body"
echo "changed=true" >> "$output"
echo "update: ${#added[@]} new paper(s); pull request body in $body"
