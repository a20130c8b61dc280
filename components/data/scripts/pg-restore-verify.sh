#!/bin/sh
# pg-restore-verify.sh: fetch the newest backup under one prefix, restore it into a throwaway
# PostgreSQL inside this container, and check what came back.
#
# Seed 001 §4.4 ("Monthly: perform test restore of database backup, verify data integrity,
# document time to restore"); seeds 000 and 004 ("Weekly: verify backup integrity").
# Run by the RestoreVerification CronJob (components/restore-verification.ts) as
# `/bin/sh /scripts/pg-restore-verify.sh`, with read-only credentials limited to the prefix.
#
# Needs: curl >= 7.75 (--aws-sigv4), openssl, initdb, pg_ctl, psql, pg_restore, sort, tr, sed,
# date (coreutils or busybox). Must run as a non-root user (initdb refuses root).
#
# Environment:
#   AWS_ACCESS_KEY_ID      required, secret. Read-only key (R2: the API token id).
#   AWS_SECRET_ACCESS_KEY  required, secret. (R2: sha256 hex of the API token value.)
#   S3_ENDPOINT            required. e.g. https://s3.us-east-1.amazonaws.com; path-style URLs.
#   S3_BUCKET              required. Bucket name.
#   BACKUP_PREFIX          required. Key prefix ending in `/`, e.g. `daily/`.
#   PRODUCT                required. Objects are `<prefix><product>-<UTC timestamp>.dump`
#                          (the names components/scripts/pg-backup.sh writes).
#   S3_REGION              optional, default `us-east-1`. Signing region (R2: `auto`).
#   EXPECTED_TABLES        optional. Comma-separated tables (`schema.table` or `table`, which
#                          means `public.table`) that must exist and hold at least one row.
#                          Empty: at least one table must exist and one of them hold rows.
#   RESTORE_SCHEMAS        optional. Comma-separated schemas to restore (pg_restore -n); the
#                          dump's extensions that this image has are created first, in the
#                          schemas the dump names (e.g. `extensions` on Supabase). Empty:
#                          restore everything (every extension the dump names must be here).
#   MAX_BACKUP_AGE_HOURS   optional. Fail when the newest backup is older than this.
#   VERIFY_TMPDIR          optional, default `/tmp`. Holds the object and the throwaway cluster.
#
# The throwaway server listens on a Unix socket in VERIFY_TMPDIR only (no TCP port), trusts that
# socket (mode 0700 directory, this user only), and is stopped and deleted on exit.
#
# Output: one JSON line on stdout,
#   {"key":...,"bytes":...,"tables":...,"rows":...,"restoreSeconds":...,"seconds":...};
# errors go to stderr as `pg-restore-verify: error: ...` with exit status 1.
set -eu
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi

die() {
  printf 'pg-restore-verify: error: %s\n' "$*" >&2
  exit 1
}
note() {
  printf 'pg-restore-verify: %s\n' "$*" >&2
}

for var in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY S3_ENDPOINT S3_BUCKET BACKUP_PREFIX PRODUCT; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || die "$var is not set"
done
for tool in curl openssl initdb pg_ctl psql pg_restore sort tr sed date; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed in this image (see components/scripts/pg-backup.Dockerfile)"
done
[ "$(id -u)" != 0 ] || die "run as a non-root user: initdb refuses root"
case "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY" in
  *[\"\\]* | *'
'*) die "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must not contain quotes, backslashes or newlines" ;;
esac
case "$BACKUP_PREFIX" in
  */) ;;
  *) die "BACKUP_PREFIX must end with '/', got '$BACKUP_PREFIX'" ;;
esac
case "$BACKUP_PREFIX$PRODUCT" in
  *[!A-Za-z0-9._/-]*) die "BACKUP_PREFIX and PRODUCT may hold only letters, digits and . _ / -" ;;
esac
case "${MAX_BACKUP_AGE_HOURS:-}" in
  '' | *[!0-9]*) [ -z "${MAX_BACKUP_AGE_HOURS:-}" ] || die "MAX_BACKUP_AGE_HOURS must be a whole number, got '$MAX_BACKUP_AGE_HOURS'" ;;
esac

S3_REGION="${S3_REGION:-us-east-1}"
VERIFY_TMPDIR="${VERIFY_TMPDIR:-/tmp}"
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
started=$(date -u +%s)

umask 077
work="${VERIFY_TMPDIR}/pg-restore-verify-$$"
mkdir "$work" || die "cannot create $work (is $VERIFY_TMPDIR writable?)"
pgdata="$work/pgdata"
cleanup() {
  if [ -f "$pgdata/postmaster.pid" ]; then pg_ctl -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Signed S3 request: curl $@ with the keys from a config file on stdin (never argv).
s3() {
  printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" |
    curl --config - --silent --show-error --retry 3 --connect-timeout 30 \
      --aws-sigv4 "aws:amz:${S3_REGION}:s3" --header "x-amz-content-sha256: $EMPTY_SHA256" "$@"
}
# The text of every <tag> element in the XML file $2, one per line.
xml_values() {
  tr '<' '\n' <"$2" | sed -n "s|^$1>||p"
}
# Percent-encodes the characters a list continuation token may hold (base64 and ASCII).
url_encode() {
  printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/+/%2B/g' -e 's|/|%2F|g' -e 's/=/%3D/g' -e 's/ /%20/g' -e 's/&/%26/g'
}
fold_body() {
  head -c 512 "$1" | tr -s '\r\n\t' '   '
}

# 1. List the prefix (ListObjectsV2, every page) and take the newest key: the names end in a
#    UTC timestamp, so the greatest name is the newest backup.
list_prefix=$(url_encode "${BACKUP_PREFIX}${PRODUCT}-")
token=''
: >"$work/keys"
pages=0
while :; do
  query="list-type=2&prefix=${list_prefix}"
  [ -z "$token" ] || query="continuation-token=$(url_encode "$token")&${query}"
  status=$(s3 --output "$work/list.xml" --write-out '%{http_code}' "${S3_ENDPOINT%/}/${S3_BUCKET}?${query}") ||
    die "listing ${S3_BUCKET}/${BACKUP_PREFIX} failed: curl could not complete the request"
  case "$status" in
    200) ;;
    *) die "listing ${S3_BUCKET}/${BACKUP_PREFIX} failed: HTTP $status: $(fold_body "$work/list.xml")" ;;
  esac
  xml_values Key "$work/list.xml" >>"$work/keys"
  pages=$((pages + 1))
  [ "$(xml_values IsTruncated "$work/list.xml")" = true ] || break
  token=$(xml_values NextContinuationToken "$work/list.xml")
  [ -n "$token" ] || die "listing ${S3_BUCKET}/${BACKUP_PREFIX} is truncated but has no NextContinuationToken"
  [ "$pages" -lt 1000 ] || die "listing ${S3_BUCKET}/${BACKUP_PREFIX} has more than 1000 pages"
done
key=$(sed -n "s|^\(${BACKUP_PREFIX}${PRODUCT}-[0-9]\{8\}T[0-9]\{6\}Z\.dump\)\$|\1|p" "$work/keys" | sort | tail -n 1)
[ -n "$key" ] || die "no backup under ${S3_BUCKET}/${BACKUP_PREFIX} (expected objects named ${BACKUP_PREFIX}${PRODUCT}-<YYYYMMDDTHHMMSSZ>.dump); the backup job has not run or its uploads fail"
note "newest backup: $key"

if [ -n "${MAX_BACKUP_AGE_HOURS:-}" ]; then
  stamp=${key#"${BACKUP_PREFIX}${PRODUCT}-"}
  stamp=${stamp%.dump}
  oldest=$(date -u -d "@$((started - MAX_BACKUP_AGE_HOURS * 3600))" +%Y%m%dT%H%M%SZ) ||
    die "date cannot convert epoch seconds (needs GNU or busybox date)"
  [ "$stamp" \> "$oldest" ] || [ "$stamp" = "$oldest" ] ||
    die "newest backup $key is older than MAX_BACKUP_AGE_HOURS=${MAX_BACKUP_AGE_HOURS}; the backup job has stopped producing backups"
fi

# 2. Download it, and check it against the SHA-256 pg-backup.sh stored with it.
dump="$work/backup.dump"
status=$(s3 --dump-header "$work/headers" --output "$dump" --write-out '%{http_code}' "${S3_ENDPOINT%/}/${S3_BUCKET}/${key}") ||
  die "download of $key failed: curl could not complete the request"
case "$status" in
  200) ;;
  *) die "download of $key failed: HTTP $status: $(fold_body "$dump")" ;;
esac
bytes=$(($(wc -c <"$dump") + 0))
[ "$bytes" -gt 0 ] || die "backup $key is empty"
stored=$(tr -d '\r' <"$work/headers" | sed -n 's/^[Xx]-[Aa][Mm][Zz]-[Mm][Ee][Tt][Aa]-[Ss][Hh][Aa]256: *//p' | tail -n 1)
actual=$(openssl dgst -sha256 -r "$dump")
actual=${actual%% *}
if [ -n "$stored" ]; then
  [ "$stored" = "$actual" ] || die "backup $key is corrupt: its SHA-256 is $actual, but pg-backup.sh recorded $stored"
else
  note "backup $key carries no x-amz-meta-sha256 (written by an older pg-backup.sh); relying on pg_restore alone"
fi

# 3. The archive must have a readable table of contents.
pg_restore --list "$dump" >"$work/toc" 2>"$work/toc.err" ||
  die "backup $key is not a readable pg_dump archive: $(fold_body "$work/toc.err")"

# 4. A throwaway cluster on a Unix socket in $work only.
initdb --pgdata="$pgdata" --username=verify --auth=trust --encoding=UTF8 --locale=C --no-sync >"$work/initdb.log" 2>&1 ||
  die "initdb failed: $(fold_body "$work/initdb.log")"
pg_ctl -D "$pgdata" -l "$work/server.log" -w -t 120 \
  -o "-c listen_addresses='' -c unix_socket_directories='$work' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=10" \
  start >/dev/null 2>&1 || die "the throwaway PostgreSQL did not start: $(fold_body "$work/server.log")"
PGHOST=$work
PGUSER=verify
export PGHOST PGUSER
unset PGPASSWORD PGDATABASE PGPORT 2>/dev/null || true
# q <database> <sql> [-v name=value ...]: runs one statement, read from stdin so psql
# interpolates the :'name' variables (it does not in -c).
q() {
  db=$1
  sql=$2
  shift 2
  printf '%s\n' "$sql" | psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@" -f - 2>>"$work/psql.err"
}
q postgres 'CREATE DATABASE restored' >/dev/null || die "cannot create the scratch database: $(fold_body "$work/psql.err")"

# 5. Restore. Extensions the dump names must exist in this image. pg_restore --list prints an
#    extension as `<id>; 3079 <oid> EXTENSION - <name> <owner>`, and its owner is empty, so the
#    line ends in a space. An extension entry has no schema of its own (`-`): `--schema` skips it,
#    and the tables of the restored schemas that use its types would fail. So the extensions (this
#    image has) are restored first, each in the schema the dump names (`extensions` on Supabase,
#    which pg_dump may have left out of the dump), and the main restore skips those entries.
set -- --exit-on-error --no-owner --no-acl --single-transaction --dbname=restored
sed -n 's/^\([0-9]*; [0-9]* [0-9]* EXTENSION - [A-Za-z0-9_-]*\) .*$/\1/p' "$work/toc" >"$work/extensions.toc"
: >"$work/extensions.list"
while IFS= read -r entry; do
  ext=${entry##* }
  available=$(q postgres "SELECT count(*) FROM pg_available_extensions WHERE name = :'ext'" -v ext="$ext") ||
    die "cannot query pg_available_extensions: $(fold_body "$work/psql.err")"
  if [ "$available" = 1 ]; then
    printf '%s\n' "$entry" >>"$work/extensions.list"
  elif [ -n "${RESTORE_SCHEMAS:-}" ]; then
    note "extension \"$ext\" is not in this image; skipped (RESTORE_SCHEMAS is set)"
  else
    die "backup $key needs the extension \"$ext\", which this image does not have; add it to the image (components/data/scripts/pg-backup.Dockerfile) or limit RESTORE_SCHEMAS"
  fi
done <"$work/extensions.toc"
: >"$work/skip.sed"
if [ -s "$work/extensions.list" ]; then
  # The SQL pg_restore would run for them: `CREATE EXTENSION IF NOT EXISTS <name> WITH SCHEMA <schema>;`.
  pg_restore -L "$work/extensions.list" -f "$work/extensions.sql" "$dump" 2>"$work/toc.err" ||
    die "cannot read the extensions of $key: $(fold_body "$work/toc.err")"
  for schema in $(sed -n 's/^CREATE EXTENSION IF NOT EXISTS [^ ]* WITH SCHEMA \([^ ;]*\);$/\1/p' "$work/extensions.sql" | sort -u); do
    case "$schema" in
      [a-z_]*[!a-z0-9_]* | [!a-z_]*) die "backup $key has an extension in schema $schema, which is not a plain lower-case identifier" ;;
    esac
    q restored "CREATE SCHEMA IF NOT EXISTS $schema" >/dev/null || die "cannot create schema $schema: $(fold_body "$work/psql.err")"
    # The main restore must not create it again (CREATE SCHEMA has no IF NOT EXISTS there).
    printf 's/^\\([0-9]*; [0-9]* [0-9]* SCHEMA - %s \\)/;\\1/\n' "$schema" >>"$work/skip.sed"
  done
  pg_restore --exit-on-error --no-owner --no-acl --single-transaction --dbname=restored -L "$work/extensions.list" "$dump" >"$work/restore.log" 2>&1 ||
    die "cannot create the extensions of $key: $(tail -n 5 "$work/restore.log" | tr -s '\r\n\t' '   ')"
  printf 's/^\\([0-9]*; [0-9]* [0-9]* EXTENSION - \\)/;\\1/\n' >>"$work/skip.sed"
fi
# The archive's own list, with the entries restored above commented out (`;`).
sed -f "$work/skip.sed" "$work/toc" >"$work/main.list"
set -- "$@" -L "$work/main.list"
if [ -n "${RESTORE_SCHEMAS:-}" ]; then
  old_ifs=$IFS
  IFS=,
  for schema in $RESTORE_SCHEMAS; do set -- "$@" "--schema=$schema"; done
  IFS=$old_ifs
fi
restore_started=$(date -u +%s)
pg_restore "$@" "$dump" >"$work/restore.log" 2>&1 ||
  die "pg_restore of $key failed: $(tail -n 5 "$work/restore.log" | tr -s '\r\n\t' '   ')"
restore_seconds=$(($(date -u +%s) - restore_started))

# 6. The expected tables are there and hold rows.
count_rows() {
  # $1 is a regclass as PostgreSQL prints it (quoted where needed), so it is safe to splice.
  q restored "SELECT count(*) FROM $1" || die "cannot count the rows of $1: $(fold_body "$work/psql.err")"
}
tables=0
rows=0
if [ -n "${EXPECTED_TABLES:-}" ]; then
  old_ifs=$IFS
  IFS=,
  set -f
  for table in $EXPECTED_TABLES; do
    IFS=$old_ifs
    case "$table" in *.*) ;; *) table="public.$table" ;; esac
    regclass=$(q restored "SELECT coalesce(to_regclass(:'t')::text, '')" -v t="$table") ||
      die "cannot look up table $table: $(fold_body "$work/psql.err")"
    [ -n "$regclass" ] || die "backup $key restored, but the expected table $table is missing"
    n=$(count_rows "$regclass") || exit 1
    [ "$n" -gt 0 ] || die "backup $key restored, but the expected table $table is empty (0 rows)"
    tables=$((tables + 1))
    rows=$((rows + n))
  done
  set +f
  IFS=$old_ifs
else
  q restored "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1" >"$work/tables" ||
    die "cannot list the restored tables: $(fold_body "$work/psql.err")"
  while IFS= read -r regclass; do
    n=$(count_rows "$regclass") || exit 1
    tables=$((tables + 1))
    rows=$((rows + n))
  done <"$work/tables"
  [ "$tables" -gt 0 ] || die "backup $key restored, but it holds no tables"
  [ "$rows" -gt 0 ] || die "backup $key restored, but all $tables of its tables are empty"
fi

seconds=$(($(date -u +%s) - started))
printf '{"key":"%s","bytes":%s,"tables":%s,"rows":%s,"restoreSeconds":%s,"seconds":%s}\n' \
  "$key" "$bytes" "$tables" "$rows" "$restore_seconds" "$seconds"
