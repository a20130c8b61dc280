#!/bin/sh
# pg-backup.sh: dump one PostgreSQL database, check the dump, upload it to S3 or R2 as one object.
#
# Run by the BackupJob CronJob (components/backup-job.ts) as `/bin/sh /scripts/pg-backup.sh`.
# Needs only: pg_dump, pg_restore, curl >= 7.75 (--aws-sigv4), openssl, date, and wc/head/tr from
# coreutils or busybox.
#
# Environment:
#   DATABASE_URL           required, secret. libpq URI of the database to dump.
#   AWS_ACCESS_KEY_ID      required, secret. S3 access key id (R2: the API token id).
#   AWS_SECRET_ACCESS_KEY  required, secret. S3 secret key (R2: sha256 hex of the API token value).
#   S3_ENDPOINT            required. e.g. https://s3.us-east-1.amazonaws.com,
#                          https://<account>.r2.cloudflarestorage.com, http://127.0.0.1:9000.
#   S3_BUCKET              required. Bucket name; the URL is path-style: $S3_ENDPOINT/$S3_BUCKET/<key>.
#   PRODUCT                required. First part of the object name, e.g. `codebook`.
#   S3_REGION              optional, default `us-east-1`. Signing region (R2: `auto`).
#   BACKUP_PREFIX          optional, default empty. Key prefix ending in `/`, e.g. `daily/`.
#   S3_SSE                 optional. Sent as `x-amz-server-side-encryption` when set (e.g. `AES256`).
#                          Leave unset to get the bucket's default encryption (its own KMS key).
#   BACKUP_TMPDIR          optional, default `/tmp`. Where the dump is written before upload.
#   DUMP_SCHEMAS           optional. Comma-separated schemas to dump (pg_dump --schema), with
#                          every extension (--extension='*': without it pg_dump leaves out the
#                          extensions their tables need). Empty: every schema.
#   DUMP_EXCLUDE_SCHEMAS   optional. Comma-separated schemas (pg_dump patterns, e.g. `pg_*`) left
#                          out (pg_dump --exclude-schema), e.g. Supabase's internal schemas, which
#                          its `postgres` role may not read. Not together with DUMP_SCHEMAS.
#
# No secret is ever a command-line argument (/proc/<pid>/cmdline is readable by every process in
# the container; the environment is readable only by the process's own user): the password of
# DATABASE_URL (userinfo or `?password=`) reaches pg_dump as PGPASSWORD and the URI without it;
# the S3 keys reach curl as a config file on stdin. A DATABASE_URL in key=value form is passed as
# it is. Query parameters libpq refuses (Prisma's `pgbouncer`, `connection_limit`, ...) are left
# out (pg-url.sh); Prisma's `schema=<s>` is the schema the app's tables live in, so the dump is of
# that schema (and every extension) when DUMP_SCHEMAS and DUMP_EXCLUDE_SCHEMAS are empty, must be
# one of DUMP_SCHEMAS, and must not be one of DUMP_EXCLUDE_SCHEMAS.
#
# Output: one JSON line on stdout, {"key":...,"bytes":...,"seconds":...}; errors go to stderr as
# `pg-backup: error: ...` with a non-zero exit status. The temp file is always removed.
#
# No partial object is ever left under the final key: the dump is uploaded with a single PUT,
# which S3 and R2 apply atomically, and only after the whole body arrived and matched its
# Content-MD5. If the upload fails, nothing is written under the key.
set -eu
# pipefail is in POSIX.1-2024, bash and busybox ash (the image's /bin/sh); shells without it
# (dash) are still safe, because the one pipe below is also checked by its result.
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi

die() {
  printf 'pg-backup: error: %s\n' "$*" >&2
  exit 1
}

for var in DATABASE_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY S3_ENDPOINT S3_BUCKET PRODUCT; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || die "$var is not set"
done
for tool in pg_dump pg_restore curl openssl date; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed in this image"
done

# DATABASE_URL without its password, which goes to PGPASSWORD instead: $dbname (pg-url.sh).
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=pg-url.sh
. "$here/pg-url.sh"
split_database_url "$DATABASE_URL"
[ -z "$url_dropped" ] || printf 'pg-backup: DATABASE_URL parameters libpq does not accept, left out: %s\n' "$url_dropped" >&2

# Which schemas: the product's DUMP_SCHEMAS or DUMP_EXCLUDE_SCHEMAS, and the URL's `schema`.
DUMP_SCHEMAS="${DUMP_SCHEMAS:-}"
DUMP_EXCLUDE_SCHEMAS="${DUMP_EXCLUDE_SCHEMAS:-}"
[ -z "$DUMP_SCHEMAS" ] || [ -z "$DUMP_EXCLUDE_SCHEMAS" ] || die "set DUMP_SCHEMAS or DUMP_EXCLUDE_SCHEMAS, not both"
in_list() { # in_list <item> <comma-separated list>
  case ",$2," in *",$1,"*) return 0 ;; *) return 1 ;; esac
}
if [ -n "$url_schema" ]; then
  if [ -n "$DUMP_SCHEMAS" ]; then
    in_list "$url_schema" "$DUMP_SCHEMAS" || die "DATABASE_URL names schema \"$url_schema\", which is not one of DUMP_SCHEMAS ($DUMP_SCHEMAS); the app's tables would not be dumped"
  elif [ -n "$DUMP_EXCLUDE_SCHEMAS" ]; then
    ! in_list "$url_schema" "$DUMP_EXCLUDE_SCHEMAS" || die "DATABASE_URL names schema \"$url_schema\", which DUMP_EXCLUDE_SCHEMAS leaves out; the app's tables would not be dumped"
  else
    DUMP_SCHEMAS=$url_schema
  fi
fi
set -- --format=custom --no-password
if [ -n "$DUMP_SCHEMAS" ]; then
  set -- "$@" "--extension=*"
  dump_ifs=$IFS
  IFS=,
  set -f
  for schema in $DUMP_SCHEMAS; do set -- "$@" "--schema=$schema"; done
  set +f
  IFS=$dump_ifs
elif [ -n "$DUMP_EXCLUDE_SCHEMAS" ]; then
  dump_ifs=$IFS
  IFS=,
  set -f
  for schema in $DUMP_EXCLUDE_SCHEMAS; do set -- "$@" "--exclude-schema=$schema"; done
  set +f
  IFS=$dump_ifs
fi

case "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY" in
  *[\"\\]* | *'
'*) die "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must not contain quotes, backslashes or newlines" ;;
esac

S3_REGION="${S3_REGION:-us-east-1}"
BACKUP_PREFIX="${BACKUP_PREFIX:-}"
BACKUP_TMPDIR="${BACKUP_TMPDIR:-/tmp}"
case "$BACKUP_PREFIX" in
  '' | */) ;;
  *) die "BACKUP_PREFIX must be empty or end with '/', got '$BACKUP_PREFIX'" ;;
esac

started=$(date -u +%s)
key="${BACKUP_PREFIX}${PRODUCT}-$(date -u +%Y%m%dT%H%M%SZ).dump"

umask 077
dump="${BACKUP_TMPDIR}/pg-backup-$$.dump"
response="${BACKUP_TMPDIR}/pg-backup-$$.response"
trap 'rm -f "$dump" "$response"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# noclobber: refuse to reuse a file someone else created under our name.
set -C
true >"$dump" || die "cannot create $dump (is $BACKUP_TMPDIR writable?)"
true >"$response" || die "cannot create $response"
set +C

# 1. Dump. Fails on an unreachable database, bad credentials or a full disk.
pg_dump "$@" --file="$dump" --dbname="$dbname" ||
  die "pg_dump failed (database unreachable, authentication failed or $BACKUP_TMPDIR full); see above"

# 2. Verify: the archive must have a readable table of contents.
pg_restore --list "$dump" >/dev/null || die "dump verification failed: pg_restore --list cannot read $dump"
bytes=$(($(wc -c <"$dump") + 0))
[ "$bytes" -gt 0 ] || die "dump verification failed: $dump is empty"

# 3. Upload (s3-put.sh): one signed PUT with Content-MD5 (object-lock buckets require it) and the
#    payload's SHA-256 signed and stored as user metadata, so pg-restore-verify.sh can prove the
#    object intact later (an S3 ETag is not the MD5 under SSE-KMS). The body of an error answer
#    (S3's XML) is folded into the one error line, so log queries see all of it.
# shellcheck source=s3-put.sh
. "$here/s3-put.sh"
s3_put "$dump" "$key" application/octet-stream "$response"

seconds=$(($(date -u +%s) - started))
printf '{"key":"%s","bytes":%s,"seconds":%s}\n' "$key" "$bytes" "$seconds"
