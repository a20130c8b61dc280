# The backup job's image: PostgreSQL's client tools plus what pg-backup.sh uploads with.
# Build and push it under the stack's `backupImage` (a pinned tag), e.g.
#   docker build -f components/scripts/pg-backup.Dockerfile -t ghcr.io/example-org/pg-backup:17.6-1 .
# Use the PostgreSQL major version of the newest database you back up: pg_dump can dump older
# servers, not newer ones.
FROM docker.io/library/postgres:17.6-alpine3.22
# curl >= 7.75 signs the upload itself (--aws-sigv4); openssl computes Content-MD5, which S3
# demands for object-lock buckets.
RUN apk add --no-cache curl openssl
# uid 70 is the image's `postgres` user; the CronJob runs as it with a read-only root filesystem.
USER 70
ENTRYPOINT []
