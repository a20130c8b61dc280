#!/bin/sh
# db-maintenance.sh: run one maintenance SQL file against a product's database, only inside the
# maintenance window of seed 001 §7.1: "Monthly (first Saturday, 2-6 AM UTC)".
#
# Run by the DatabaseMaintenance CronJob (components/database-maintenance.ts) as
# `/bin/sh /scripts/db-maintenance.sh`. Cron cannot say "first Saturday": `0 2 1-7 * 6` means
# "days 1-7 OR Saturdays". So the CronJob fires at 02:00 UTC on days 1-7 (of every month, or of
# the quarter's first months) and this script does the rest: it exits 0 without touching the
# database unless today is a Saturday, and refuses (exit 1) to start outside 02:00-06:00 UTC,
# e.g. after a long scheduling delay. The statements get the rest of the window as their
# statement_timeout, so nothing runs past 06:00.
#
# Needs: psql, sed, date (GNU or busybox: `date -u -d @<epoch>`).
#
# No secret is a command-line argument: the password of DATABASE_URL reaches psql as PGPASSWORD
# and the URI without it, and query parameters libpq refuses (Prisma's `schema`, `pgbouncer`,
# `connection_limit`, ...) are left out (pg-url.sh, shared with pg-backup.sh).
#
# Environment:
#   DATABASE_URL           required, secret. libpq URI; its password reaches psql as PGPASSWORD.
#   MAINTENANCE_SQL        required. The SQL file to run, e.g. /scripts/db-vacuum.sql.
#   LOCK_TIMEOUT           optional, default `10s`. Passed to the SQL as :'lock_timeout'.
#   ACCESS_METHODS         optional, default `ivfflat,hnsw`. Passed as :'access_methods'.
#   WINDOW_START_HOUR      optional, default 2. Window start, UTC hour (seed 001 §7.1).
#   WINDOW_END_HOUR        optional, default 6. Window end, UTC hour (exclusive).
#   WINDOW_WEEKDAY         optional, default 6 (Saturday; 1 = Monday ... 7 = Sunday, as date +%u).
#   WINDOW_MAX_DAY         optional, default 7. The weekday must fall on day 1..this of the month.
#   MAINTENANCE_NOW        optional. Epoch seconds to use as "now" (tests); default the clock.
#
# Output: `db-maintenance: ...` lines; errors as `db-maintenance: error: ...` with exit status 1.
set -eu

die() {
  printf 'db-maintenance: error: %s\n' "$*" >&2
  exit 1
}
note() {
  printf 'db-maintenance: %s\n' "$*"
}

for var in DATABASE_URL MAINTENANCE_SQL; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || die "$var is not set"
done
for tool in psql date sed; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed in this image"
done
[ -r "$MAINTENANCE_SQL" ] || die "MAINTENANCE_SQL $MAINTENANCE_SQL is not a readable file"
LOCK_TIMEOUT=${LOCK_TIMEOUT:-10s}
ACCESS_METHODS=${ACCESS_METHODS:-ivfflat,hnsw}
start_hour=${WINDOW_START_HOUR:-2}
end_hour=${WINDOW_END_HOUR:-6}
weekday=${WINDOW_WEEKDAY:-6}
max_day=${WINDOW_MAX_DAY:-7}
now=${MAINTENANCE_NOW:-$(date -u +%s)}
for n in "$start_hour" "$end_hour" "$weekday" "$max_day" "$now"; do
  case "$n" in '' | *[!0-9]*) die "window settings and MAINTENANCE_NOW must be whole numbers, got '$n'" ;; esac
done

# 1. The window: the first <weekday> of the month, start_hour <= hour < end_hour (UTC).
at() { date -u -d "@$now" "+$1"; }
parts=$(at '%u %d %H %M %S' | sed 's/\(^\| \)0\([0-9]\)/\1\2/g') || die "date cannot convert epoch seconds (needs GNU or busybox date)"
# shellcheck disable=SC2086 # five numbers, split on purpose
set -- $parts
dow=$1 dom=$2 hour=$3 minute=$4 second=$5
if [ "$dow" != "$weekday" ] || [ "$dom" -gt "$max_day" ]; then
  note "$(at %Y-%m-%d) is not the first weekday $weekday of the month; nothing to do (seed 001 §7.1 window: first Saturday, ${start_hour}:00-${end_hour}:00 UTC)"
  exit 0
fi
if [ "$hour" -lt "$start_hour" ] || [ "$hour" -ge "$end_hour" ]; then
  die "started at $(at %H:%M) UTC, outside the maintenance window ${start_hour}:00-${end_hour}:00 UTC (seed 001 §7.1); not running $MAINTENANCE_SQL"
fi
remaining=$(((end_hour - hour) * 3600 - minute * 60 - second))
[ "$remaining" -ge 60 ] || die "less than a minute of the maintenance window is left; not running $MAINTENANCE_SQL"

# DATABASE_URL without its password, which goes to PGPASSWORD instead: $dbname (pg-url.sh).
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=pg-url.sh
. "$here/pg-url.sh"
split_database_url "$DATABASE_URL"
[ -z "$url_dropped" ] || note "DATABASE_URL parameters libpq does not accept, left out: $url_dropped"

# 2. Run the SQL with the rest of the window as its statement timeout.
note "running $MAINTENANCE_SQL until $(date -u -d "@$((now + remaining))" +%H:%M) UTC at the latest (lock_timeout $LOCK_TIMEOUT)"
psql -X -q -A -t --no-password -v ON_ERROR_STOP=1 \
  -v statement_timeout="${remaining}s" -v lock_timeout="$LOCK_TIMEOUT" -v access_methods="$ACCESS_METHODS" \
  -d "$dbname" -f "$MAINTENANCE_SQL" ||
  die "$MAINTENANCE_SQL failed (database unreachable, lock_timeout $LOCK_TIMEOUT reached, or the window's end); see above"
note "done: $MAINTENANCE_SQL"
