# s3-put.sh: one signed PUT of a file to S3 or R2, sourced by the platform's backup scripts
# (pg-backup.sh, clerk-export.sh). Not run on its own.
#
# Defines `s3_put <file> <key> <content-type> <response-file>`, which uploads <file> to
# $S3_ENDPOINT/$S3_BUCKET/<key> (path style) signed with AWS SigV4 by curl (>= 7.75), with
# Content-MD5 (object-lock buckets require it), the payload's SHA-256 signed and kept as
# `x-amz-meta-sha256`, and `x-amz-server-side-encryption: $S3_SSE` when S3_SSE is set. S3 and R2
# apply a single PUT atomically, after the whole body arrived and matched its Content-MD5: a failed
# upload leaves nothing under the key. On failure it calls the caller's `die` with the HTTP status
# and the first 512 bytes of the answer; on success it sets `s3_put_url`.
#
# Reads: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (secrets: they reach curl as a config file on
# stdin, never as arguments), S3_ENDPOINT, S3_BUCKET, S3_REGION (default `us-east-1`), S3_SSE.

s3_put() {
  s3_put_file=$1
  s3_put_key=$2
  s3_put_type=$3
  s3_put_response=$4
  case "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY" in
    *[\"\\]* | *'
'*) die "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must not contain quotes, backslashes or newlines" ;;
  esac
  s3_put_url="${S3_ENDPOINT%/}/${S3_BUCKET}/${s3_put_key}"
  s3_put_md5=$(openssl dgst -md5 -binary "$s3_put_file" | openssl base64 -A)
  [ -n "$s3_put_md5" ] || die "openssl could not compute the MD5 of $s3_put_file"
  s3_put_sha256=$(openssl dgst -sha256 -r "$s3_put_file")
  s3_put_sha256=${s3_put_sha256%% *}
  [ ${#s3_put_sha256} -eq 64 ] || die "openssl could not compute the SHA-256 of $s3_put_file"
  if [ -n "${S3_SSE:-}" ]; then
    set -- --header "x-amz-server-side-encryption: $S3_SSE"
  else
    set --
  fi
  # printf is a shell builtin: the keys go through a pipe, never through an argument list.
  s3_put_status=$(printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" | curl --config - \
    --silent --show-error --retry 3 --connect-timeout 30 \
    --aws-sigv4 "aws:amz:${S3_REGION:-us-east-1}:s3" \
    --header "Content-MD5: $s3_put_md5" \
    --header "x-amz-content-sha256: $s3_put_sha256" \
    --header "x-amz-meta-sha256: $s3_put_sha256" \
    --header "Content-Type: $s3_put_type" \
    "$@" \
    --upload-file "$s3_put_file" --output "$s3_put_response" --write-out '%{http_code}' "$s3_put_url") ||
    die "upload to $s3_put_url failed: curl could not complete the request"
  case "$s3_put_status" in
    2??) ;;
    *) die "upload to $s3_put_url failed: HTTP $s3_put_status: $(head -c 512 "$s3_put_response" | tr -s '\r\n\t' '   ')" ;;
  esac
}
