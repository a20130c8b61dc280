#!/usr/bin/env bash
# `npm test`: everything CI checks, on a machine that has only what this repository installs.
#   1. system tools the tests use for real (promtool from Debian's `prometheus` package),
#      installed with apt-get when missing and we are root;
#   2. the TypeScript type check;
#   3. Pulumi.yaml and the README config reference generated from the code;
#   4. the vitest suites, closing with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  # $1 = command that must exist, $2.. = Debian packages that provide it
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing $* for $cmd (apt-get)"
    if [ -z "${APT_UPDATED:-}" ]; then
      apt-get update -qq >/dev/null
      APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
  command -v "$cmd" >/dev/null 2>&1 || {
    echo "test: $cmd is missing and could not be installed; install Debian's $* (or put $cmd on PATH) and rerun" >&2
    exit 1
  }
}

apt_install promtool prometheus

echo "test: type check"
npx tsc --noEmit -p .

echo "test: generated config docs"
npx ts-node --transpile-only scripts/config-docs.ts --check

echo "test: vitest"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || true
exit $status
