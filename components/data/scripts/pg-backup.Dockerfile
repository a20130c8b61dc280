# The image of the backup, restore-verification and maintenance jobs: PostgreSQL's client tools
# and server binaries, plus what pg-backup.sh uploads with and pgvector for the restore check.
# Build and push it under the stack's `backupImage` (a pinned tag), e.g.
#   docker build -f components/data/scripts/pg-backup.Dockerfile -t ghcr.io/example-org/pg-backup:17.6-2 .
# Use the PostgreSQL major version of the newest database you back up: pg_dump can dump older
# servers, not newer ones, and pg-restore-verify.sh restores into this same major version.

# pgvector, built against this exact server (the official Alpine image has no pgvector package).
# Ask Dahlia (seed 000) and ARA (seed 004) dump `vector` columns: without the extension the
# restore check fails with "needs the extension \"vector\"". with_llvm=no skips JIT bitcode, so no
# clang/llvm matching the server's build is needed.
FROM docker.io/library/postgres:17.6-alpine3.22 AS pgvector
ARG PGVECTOR_VERSION=0.8.0
RUN apk add --no-cache build-base git \
 && git clone --branch "v${PGVECTOR_VERSION}" --depth 1 https://github.com/pgvector/pgvector.git /tmp/pgvector \
 && make -C /tmp/pgvector with_llvm=no OPTFLAGS="" \
 && make -C /tmp/pgvector with_llvm=no install DESTDIR=/tmp/pgvector-install

FROM docker.io/library/postgres:17.6-alpine3.22
# curl >= 7.75 signs the requests itself (--aws-sigv4); openssl computes Content-MD5, which S3
# demands for object-lock buckets, and the SHA-256 pg-restore-verify.sh checks.
RUN apk add --no-cache curl openssl
# The base image already has initdb, pg_ctl and postgres in /usr/local/bin: pg-restore-verify.sh
# runs its throwaway server with them, as uid 70, on a socket and data directory under /tmp.
COPY --from=pgvector /tmp/pgvector-install/usr/local/ /usr/local/
# uid 70 is the image's `postgres` user; the CronJobs run as it with a read-only root filesystem.
USER 70
ENTRYPOINT []
