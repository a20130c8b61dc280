#!/bin/sh
# clerk-export.sh: export every user of a Clerk instance through Clerk's Backend API and upload
# them to S3 or R2 as one gzip-compressed JSON array (seed 004 "Application Backup":
# `clerk-cli export users > clerk-users-backup.json`).
#
# Run by a BackupJob CronJob (components/data/backup-job.ts, `serviceExport: "clerk-users"`) as
# `/bin/sh /scripts/clerk-export.sh`, in the platform's backup image. Needs only curl >= 7.75,
# openssl, awk, fold, gzip, date, head and tr (coreutils or busybox); no jq.
#
# Environment:
#   CLERK_SECRET_KEY       required, secret. The instance's Backend API secret key (`sk_...`).
#   AWS_ACCESS_KEY_ID      required, secret. S3 access key id (R2: the API token id).
#   AWS_SECRET_ACCESS_KEY  required, secret. S3 secret key (R2: sha256 hex of the API token value).
#   S3_ENDPOINT            required. e.g. https://<account>.r2.cloudflarestorage.com.
#   S3_BUCKET              required. Bucket name; the URL is path-style: $S3_ENDPOINT/$S3_BUCKET/<key>.
#   PRODUCT                required. First part of the object name, e.g. `ara`.
#   CLERK_API_URL          optional, default `https://api.clerk.com/v1` (the Backend API's server
#                          in Clerk's OpenAPI spec, github.com/clerk/openapi-specs bapi/*.yml).
#   CLERK_PAGE_SIZE        optional, default 500: users per request, 1 to 500 (the spec's
#                          `LimitParameter` maximum).
#   S3_REGION              optional, default `us-east-1`. Signing region (R2: `auto`).
#   BACKUP_PREFIX          optional, default empty. Key prefix ending in `/`, e.g. `clerk-users/`.
#   S3_SSE                 optional. Sent as `x-amz-server-side-encryption` when set.
#   BACKUP_TMPDIR          optional, default `/tmp`. Where pages and the export are written.
#
# How it pages (Clerk's OpenAPI spec, `GET /users`, operation GetUserList): the answer is a JSON
# array of User objects; `limit` at most 500; `order_by=-created_at` (the default, newest first)
# with the cursor `starting_after=<id of the last user of the previous page>`, until a page holds
# fewer than `limit` users. A cursor page does not shift when users sign up during the export (an
# `offset` page would). A 429 (Clerk's rate limit, with `Retry-After`) or a 5xx is retried by curl
# (3 times, honouring Retry-After); any other non-2xx answer, a retry that still fails, or a page
# that is not a JSON array of objects each with a string `id`, stops the export with a non-zero
# status, and nothing is uploaded: a partial export is never stored as a good one.
#
# The secret key is never a command-line argument (/proc/<pid>/cmdline is readable by every
# process in the container): it reaches curl as a config file on stdin, like the S3 keys. It is
# never printed.
#
# Output: one JSON line on stdout, {"key":...,"users":...,"pages":...,"bytes":...,"seconds":...};
# errors go to stderr as `clerk-export: error: ...` with a non-zero exit status. Temp files are
# always removed. The object: `<BACKUP_PREFIX><PRODUCT>-<UTC timestamp>.json.gz`, a gzip of
# `[`, one User object per line exactly as Clerk returned it (separated by `,`), `]`.
set -eu
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi
# Byte semantics for awk and fold (the pages are UTF-8; the parser only looks at ASCII).
LC_ALL=C
export LC_ALL

die() {
  printf 'clerk-export: error: %s\n' "$*" >&2
  exit 1
}

for var in CLERK_SECRET_KEY AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY S3_ENDPOINT S3_BUCKET PRODUCT; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || die "$var is not set"
done
for tool in curl openssl awk fold gzip date head tr wc; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed in this image"
done
case "$CLERK_SECRET_KEY" in
  *[\"\\]* | *'
'*) die "CLERK_SECRET_KEY must not contain quotes, backslashes or newlines" ;;
esac

CLERK_API_URL="${CLERK_API_URL:-https://api.clerk.com/v1}"
CLERK_PAGE_SIZE="${CLERK_PAGE_SIZE:-500}"
BACKUP_PREFIX="${BACKUP_PREFIX:-}"
BACKUP_TMPDIR="${BACKUP_TMPDIR:-/tmp}"
case "$CLERK_PAGE_SIZE" in
  '' | *[!0-9]* | 0*) die "CLERK_PAGE_SIZE must be a whole number from 1 to 500, got '$CLERK_PAGE_SIZE'" ;;
esac
[ "$CLERK_PAGE_SIZE" -le 500 ] || die "CLERK_PAGE_SIZE must be a whole number from 1 to 500 (Clerk's maximum), got $CLERK_PAGE_SIZE"
case "$BACKUP_PREFIX" in
  '' | */) ;;
  *) die "BACKUP_PREFIX must be empty or end with '/', got '$BACKUP_PREFIX'" ;;
esac

case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=s3-put.sh
. "$here/s3-put.sh"

# One page: checks that it is a JSON array of objects (a full JSON syntax check, strings and
# escapes included), each with a string `id`, appends each object as one line to `out`, and prints
# `<count> <id of the last object>`; on anything else prints `error: <reason>` and exits 1. Reads
# the page through `fold`, so no line is longer than 2048 bytes (Clerk answers on one line): a
# token may span lines, a line end is never a token boundary, and the objects' bytes are written
# back unchanged, without the line ends.
PAGE_AWK='
function fail(m) { print "error: " m; bad = 1; exit 1 }
function value_done() { expect = (depth == 0) ? "end" : "comma_or_end" }
function open_container(c) { depth++; stack[depth] = c; expect = (c == "[") ? "value_or_end" : "key_or_end" }
function close_container(c,   want) {
  want = (c == "]") ? "[" : "{"
  if (depth == 0 || stack[depth] != want) fail("unbalanced " c)
  depth--
  if (depth == 1 && in_elem) {
    printf "%s\n", substr(line, seg, i - seg + 1) >> out
    in_elem = 0
    count++
    if (elem_id == "") fail("user " count " has no string id")
    last_id = elem_id
  }
  value_done()
}
function token_done() {
  if (tok != "true" && tok != "false" && tok != "null" && tok !~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) fail("not a JSON value: " substr(tok, 1, 20))
  in_tok = 0
  tok = ""
  value_done()
}
function string_done() {
  in_str = 0
  if (is_key) {
    id_next = (depth == 2 && capbuf == "id")
    cap = 0
    expect = "colon"
    return
  }
  if (cap) elem_id = capbuf
  cap = 0
  id_next = 0
  value_done()
}
BEGIN { depth = 0; expect = "value"; count = 0; last_id = "" }
{
  line = $0
  n = length(line)
  i = 1
  seg = 1
  while (i <= n) {
    if (in_str) {
      c = substr(line, i, 1)
      if (esc == 1) {
        if (c == "u") esc = 2
        else if (index("\"\\/bfnrt", c)) esc = 0
        else fail("bad escape in a string")
        if (cap) capbuf = capbuf c
        i++
        continue
      }
      if (esc >= 2) {
        if (c !~ /[0-9A-Fa-f]/) fail("bad \\u escape in a string")
        esc = (esc == 5) ? 0 : esc + 1
        if (cap) capbuf = capbuf c
        i++
        continue
      }
      rest = substr(line, i)
      if (!match(rest, /["\\]/)) {
        if (cap) capbuf = capbuf rest
        i = n + 1
        continue
      }
      if (cap && RSTART > 1) capbuf = capbuf substr(rest, 1, RSTART - 1)
      i += RSTART
      if (substr(rest, RSTART, 1) == "\\") {
        esc = 1
        if (cap) capbuf = capbuf "\\"
        continue
      }
      string_done()
      continue
    }
    c = substr(line, i, 1)
    if (in_tok) {
      if (c ~ /[-+.0-9A-Za-z]/) { tok = tok c; i++; continue }
      token_done()
    }
    if (c == " " || c == "\t" || c == "\r") { i++; continue }
    if (expect == "end") fail("more data after the array")
    if (expect == "colon") {
      if (c != ":") fail("expected a colon after a key")
      expect = "value"
      i++
      continue
    }
    if (expect == "comma_or_end") {
      if (c == ",") expect = (stack[depth] == "[") ? "value" : "key"
      else if (c == "]" || c == "}") close_container(c)
      else fail("expected a comma or a closing bracket")
      i++
      continue
    }
    if (expect == "key_or_end" || expect == "key") {
      if (c == "}" && expect == "key_or_end") { close_container(c); i++; continue }
      if (c != "\"") fail("expected a key")
      in_str = 1; is_key = 1; esc = 0; cap = (depth == 2); capbuf = ""
      i++
      continue
    }
    if (c == "]" && expect == "value_or_end") { close_container(c); i++; continue }
    if (depth == 0 && c != "[") fail("the answer is not a JSON array")
    if (depth == 1) {
      if (c != "{") fail("user " (count + 1) " is not a JSON object")
      in_elem = 1; seg = i; elem_id = ""
    }
    if (id_next && c != "\"") fail("user " (count + 1) " has an id that is not a string")
    if (c == "{" || c == "[") { open_container(c); i++; continue }
    if (c == "\"") { in_str = 1; is_key = 0; esc = 0; cap = id_next; capbuf = ""; i++; continue }
    if (c ~ /[-0-9tfn]/) { in_tok = 1; tok = c; i++; continue }
    fail("unexpected character in the answer")
  }
  if (in_elem) printf "%s", substr(line, seg) >> out
}
END {
  if (bad) exit 1
  if (in_str) fail("the answer ends inside a string")
  if (in_tok) token_done()
  if (NR == 0) fail("the answer is empty")
  if (expect != "end") fail("the answer ends before the array is closed")
  print count, last_id
}
'

started=$(date -u +%s)
key="${BACKUP_PREFIX}${PRODUCT}-$(date -u +%Y%m%dT%H%M%SZ).json.gz"

umask 077
users="${BACKUP_TMPDIR}/clerk-export-$$.users"
page="${BACKUP_TMPDIR}/clerk-export-$$.page"
export_file="${BACKUP_TMPDIR}/clerk-export-$$.json.gz"
response="${BACKUP_TMPDIR}/clerk-export-$$.response"
trap 'rm -f "$users" "$page" "$export_file" "$response"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# noclobber: refuse to reuse a file someone else created under our name.
set -C
for file in "$users" "$page" "$export_file" "$response"; do
  true >"$file" || die "cannot create $file (is $BACKUP_TMPDIR writable?)"
done
set +C

# 1. Page through the users.
api="${CLERK_API_URL%/}/users"
cursor=""
pages=0
total=0
while :; do
  pages=$((pages + 1))
  url="${api}?limit=${CLERK_PAGE_SIZE}&order_by=-created_at"
  [ -z "$cursor" ] || url="${url}&starting_after=${cursor}"
  status=$(printf 'header = "Authorization: Bearer %s"\n' "$CLERK_SECRET_KEY" | curl --config - \
    --silent --show-error --retry 3 --retry-max-time 300 --connect-timeout 30 --max-time 300 \
    --header "Accept: application/json" \
    --output "$page" --write-out '%{http_code}' "$url") ||
    die "GET $url failed: curl could not complete the request"
  case "$status" in
    2??) ;;
    # Clerk's error body ({"errors":[{"message",...}]}) is folded into the one error line.
    *) die "GET $url failed: HTTP $status: $(head -c 512 "$page" | tr -s '\r\n\t' '   ')" ;;
  esac
  summary=$(fold -b -w 2048 <"$page" | awk -v out="$users" "$PAGE_AWK") ||
    die "GET $url: page $pages is not a JSON array of users: ${summary#error: }"
  count=${summary%% *}
  last=${summary#* }
  total=$((total + count))
  [ "$count" -ge "$CLERK_PAGE_SIZE" ] || break
  case "$last" in
    '' | *[!A-Za-z0-9_]*) die "GET $url: the last user's id '$last' is not a Clerk id; cannot page on from it" ;;
  esac
  [ "$last" != "$cursor" ] || die "GET $url: Clerk answered the same page twice (starting_after ignored?); stopping"
  cursor=$last
done

# 2. One JSON array, one user a line, gzip-compressed; checked before the upload.
awk 'BEGIN { printf "[" } NR > 1 { printf "," } { printf "\n%s", $0 } END { printf "%s]\n", (NR > 0 ? "\n" : "") }' "$users" |
  gzip -c >"$export_file" || die "could not write the export to $export_file ($BACKUP_TMPDIR full?)"
gzip -t "$export_file" || die "export verification failed: $export_file is not a readable gzip"

# 3. Upload (s3-put.sh): one signed PUT; nothing is stored under the key unless all of it arrived.
s3_put "$export_file" "$key" "application/gzip" "$response"

bytes=$(($(wc -c <"$export_file") + 0))
seconds=$(($(date -u +%s) - started))
printf '{"key":"%s","users":%s,"pages":%s,"bytes":%s,"seconds":%s}\n' "$key" "$total" "$pages" "$bytes" "$seconds"
