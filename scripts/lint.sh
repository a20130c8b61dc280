#!/usr/bin/env bash
# `npm run lint`: the style and structure gates, each printing what it found.
#   1. ESLint (eslint.config.mjs): typescript-eslint's recommended rules, no stale disable comments;
#   2. Prettier (.prettierrc.json): one layout, two-space indent, checked, never rewritten here
#      (`npm run format` rewrites);
#   3. dependency-cruiser (.dependency-cruiser.cjs): imports only point down the layers
#      (infra → stacks → components → policies/lib) and nothing forms a cycle.
# Exits non-zero when any of them fails; all three run either way, so one run shows everything.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
echo "lint: eslint"
npx eslint --max-warnings=0 . || status=1
echo "lint: prettier --check"
npx prettier --check --log-level=warn . && echo "All matched files use Prettier code style." || status=1
echo "lint: import boundaries (dependency-cruiser)"
npx depcruise --config .dependency-cruiser.cjs infra stacks components policies tools tests scripts || status=1
exit $status
