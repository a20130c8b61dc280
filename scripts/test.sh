#!/usr/bin/env bash
# `npm test`: everything CI checks, on a machine that has only what this repository installs.
#   1. system tools the tests use for real, installed with apt-get when missing and we are root:
#      promtool (Debian's `prometheus`) for the alert rules; a PostgreSQL server, its client tools,
#      curl, openssl and busybox for the backup drill; blackbox_exporter for the probe modules;
#   2. the TypeScript type check;
#   3. Pulumi.yaml and the README config reference generated from the code;
#   4. the vitest suites, closing with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

have() {
  # initdb lives in /usr/lib/postgresql/<major>/bin, not on PATH
  if [ "$1" = initdb ]; then compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; else command -v "$1" >/dev/null 2>&1; fi
}

apt_install() {
  # $1 = command that must exist, $2.. = Debian packages that provide it
  local cmd=$1; shift
  have "$cmd" && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing $* for $cmd (apt-get)"
    if [ -z "${APT_UPDATED:-}" ]; then
      apt-get update -qq >/dev/null
      APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    # Debian's postgresql package starts a `main` cluster; the drill runs its own, so stop it.
    if command -v pg_lsclusters >/dev/null 2>&1; then
      pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1, $2 }' |
        while read -r version cluster; do pg_ctlcluster "$version" "$cluster" stop || true; done
    fi
  fi
  have "$cmd" || {
    echo "test: $cmd is missing and could not be installed; install Debian's $* (or put $cmd on PATH) and rerun" >&2
    exit 1
  }
}

apt_install promtool prometheus
apt_install initdb postgresql
apt_install pg_dump postgresql-client
apt_install curl curl
apt_install openssl openssl
apt_install busybox busybox
apt_install prometheus-blackbox-exporter prometheus-blackbox-exporter

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
