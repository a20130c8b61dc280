#!/usr/bin/env bash
# `npm run format`: rewrites the files `npm run lint` checks: Prettier's layout, then ESLint's
# autofixes (e.g. a disable comment that no longer suppresses anything). Import boundaries have no
# autofix: `npm run lint` names the import to move.
set -euo pipefail
cd "$(dirname "$0")/.."
npx prettier --write --log-level=warn .
npx eslint --fix .
