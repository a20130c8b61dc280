#!/usr/bin/env bash
# `npm test`: everything CI checks, on a machine that has only what this repository installs.
#   1. system tools the tests use for real, installed with apt-get when missing and we are root:
#      promtool (Debian's `prometheus`) for the alert rules; a PostgreSQL server, its client tools,
#      curl, openssl and busybox for the backup drill; Prometheus, Alertmanager (and amtool), the
#      blackbox exporter (probe modules, end-to-end suite) and the postgres exporter (tests/e2e/);
#   2. the TypeScript type check, then `npm run lint` (ESLint, Prettier, import boundaries);
#   3. Pulumi.yaml and the README config reference generated from the code;
#   4. the vitest suites, then the end-to-end alerting suite (tests/e2e/) as its own step, closing
#      with a plain "N passed, N failed" line for both.
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
    # Debian's packages start their services on install (prometheus on :9090, alertmanager on
    # :9093, the exporters on :9115/:9187, postgresql's `main` cluster on :5432). The tests run
    # their own on free loopback ports, so forbid the starts while installing (policy-rc.d, the
    # Debian mechanism invoke-rc.d honours, unless the image already has one) ...
    local policy=/usr/sbin/policy-rc.d own_policy=
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    fi
    local status=0
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
    [ -n "$own_policy" ] && rm -f "$policy"
    # ... and stop whatever started anyway (systemd, when the machine runs it, ignores policy-rc.d).
    if command -v pg_lsclusters >/dev/null 2>&1; then
      pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1, $2 }' |
        while read -r version cluster; do pg_ctlcluster "$version" "$cluster" stop || true; done
    fi
    local pkg
    for pkg in "$@"; do
      case $pkg in prometheus | prometheus-alertmanager | prometheus-blackbox-exporter | prometheus-postgres-exporter) ;; *) continue ;; esac
      if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now "$pkg" >/dev/null 2>&1 || true
      elif [ -x "/etc/init.d/$pkg" ] && "/etc/init.d/$pkg" status >/dev/null 2>&1; then
        "/etc/init.d/$pkg" stop >/dev/null 2>&1 || true
      fi
    done
    [ "$status" = 0 ] || echo "test: apt-get install $* failed (exit $status)" >&2
  fi
  have "$cmd" || {
    echo "test: $cmd is missing and could not be installed. Install it with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $*" >&2
    echo "(Debian/Ubuntu; or put $cmd on PATH) and rerun." >&2
    exit 1
  }
}

apt_install promtool prometheus
apt_install initdb postgresql
apt_install pg_dump postgresql-client
apt_install curl curl
apt_install openssl openssl
apt_install busybox busybox
apt_install prometheus prometheus
apt_install prometheus-alertmanager prometheus-alertmanager
apt_install amtool prometheus-alertmanager
apt_install prometheus-blackbox-exporter prometheus-blackbox-exporter
apt_install prometheus-postgres-exporter prometheus-postgres-exporter

echo "test: type check"
npx tsc --noEmit -p .

echo "test: lint"
bash scripts/lint.sh

echo "test: generated config docs"
npx ts-node --swc scripts/config-docs.ts --check

echo "test: generated policy catalogue"
npx ts-node --swc tools/policy-catalogue.ts --check

# Prints "vitest: N passed, N failed" from vitest's JSON reports (several runs add up).
summary() {
  node -e '
    let p = 0, f = 0, s = 0;
    for (const file of process.argv.slice(1)) {
      try {
        const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
        p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + r.numTodoTests;
      } catch { f += 1; }
    }
    console.log(`vitest: ${p} passed, ${f} failed` + (s ? `, ${s} skipped` : ""));
  ' "$@" || true
}

report=$(mktemp)
report_e2e=$(mktemp)
trap 'rm -f "$report" "$report_e2e"' EXIT
set +e
if [ $# -gt 0 ]; then
  # Only what was asked for: `npm test -- tests/x.test.ts`.
  echo "test: vitest $*"
  # The end-to-end suite's bounded waits run alone, one file at a time, as in the full run below.
  workers=()
  for arg in "$@"; do
    case $arg in tests/e2e* | ./tests/e2e*) workers=(--maxWorkers=1) ;; esac
  done
  npx vitest run "${workers[@]}" --reporter=default --reporter=json --outputFile="$report" "$@"
  status=$?
  set -e
  summary "$report"
  exit $status
fi
echo "test: vitest (everything but the end-to-end alerting suite)"
npx vitest run --exclude 'tests/e2e/**' --reporter=default --reporter=json --outputFile="$report"
status=$?
# The end-to-end suite (real Prometheus, Alertmanager and exporters; `npm run test:e2e`) runs on
# its own, so its timing-based waits never share the CPU with the other suites.
echo "test: vitest tests/e2e (end-to-end alerting with the real programs)"
npx vitest run tests/e2e --maxWorkers=1 --reporter=default --reporter=json --outputFile="$report_e2e"
status_e2e=$?
set -e
summary "$report" "$report_e2e"
[ "$status" = 0 ] && [ "$status_e2e" = 0 ]
