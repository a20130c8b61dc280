/**
 * Supabase's internal schemas in a real PostgreSQL: a database laid out as a Supabase project's
 * (the app's tables in `public`, extensions in `extensions`, `supabase_functions.hooks` owned by
 * a Supabase role the app's login role cannot read: supabase/supabase#10982, `permission denied
 * ... LOCK TABLE "supabase_functions"."hooks"`), dumped by pg-backup.sh as that login role with
 * the environment BackupJob gives a Supabase product (`dumpSchemas: { exclude:
 * SUPABASE_INTERNAL_SCHEMAS }`), then restored by pg-restore-verify.sh with RESTORE_SCHEMAS=public.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackupEnv, runBackupScript, spawnAsync } from "./backup-run";
import { PostgresServer, PostgresTools, ensurePostgresTools, startPostgres } from "./postgres";
import { S3Stub, startS3Stub } from "./s3-stub";
import { dumpSchemasEnv } from "../../components/data/backup-job";
import { SUPABASE_INTERNAL_SCHEMAS } from "../../components/data/postgres-providers";
import { RESTORE_VERIFY_SCRIPT_PATH } from "../../components/data/restore-verification";

const BUCKET = "codebook-prod-backups";
const REGION = "us-east-1";
const ACCESS_KEY_ID = "AKIADUMPSCHEMAS00001";
const SECRET_ACCESS_KEY = randomBytes(30).toString("base64");
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const APP_PASSWORD = randomBytes(12).toString("hex");
const isRoot = process.getuid?.() === 0;

let tools: PostgresTools;
let pg: PostgresServer | undefined;
let s3: S3Stub | undefined;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "dump-schemas-drill-"));
  chmodSync(work, 0o711);
  tools = ensurePostgresTools();
  pg = await startPostgres(tools);
  // Supabase's layout, in miniature: `supabase_admin` owns the internal schemas, the app's login
  // role (Supabase's `postgres`, not a superuser there) owns the database and `public`.
  pg.psql(
    "postgres",
    `CREATE ROLE supabase_admin NOLOGIN;
     CREATE ROLE app_owner LOGIN PASSWORD '${APP_PASSWORD}';
     CREATE DATABASE codebook OWNER app_owner;`,
  );
  pg.psql(
    "codebook",
    `ALTER SCHEMA public OWNER TO app_owner;
     CREATE SCHEMA extensions AUTHORIZATION app_owner;
     CREATE EXTENSION citext WITH SCHEMA extensions;
     CREATE SCHEMA supabase_functions AUTHORIZATION supabase_admin;
     CREATE TABLE supabase_functions.hooks (id bigserial PRIMARY KEY, hook_name text NOT NULL);
     ALTER TABLE supabase_functions.hooks OWNER TO supabase_admin;
     CREATE SCHEMA auth AUTHORIZATION supabase_admin;
     CREATE TABLE auth.users (id uuid PRIMARY KEY);
     ALTER TABLE auth.users OWNER TO supabase_admin;
     SET ROLE app_owner;
     CREATE TABLE public.codebooks (id integer PRIMARY KEY, owner_email extensions.citext NOT NULL);
     INSERT INTO public.codebooks SELECT g, 'Owner' || g || '@Example.com' FROM generate_series(1, 25) g;`,
  );
  s3 = await startS3Stub({ root: join(work, "s3"), buckets: [BUCKET], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION });
}, 900_000);

afterAll(async () => {
  await s3?.close();
  pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function backupEnv(extra: Record<string, string> = {}): BackupEnv {
  return {
    DATABASE_URL: `postgresql://app_owner:${APP_PASSWORD}@127.0.0.1:${pg!.port}/codebook`,
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_ENDPOINT: s3!.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: REGION,
    BACKUP_PREFIX: "daily/",
    PRODUCT: "codebook",
    BACKUP_TMPDIR: mkdtempSync(join(work, "tmp-")),
    ...extra,
  };
}

describe("a Supabase database dumped by its app role", () => {
  it("a whole-database dump fails on Supabase's internal schema (the reported failure)", async () => {
    const run = await runBackupScript(backupEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/permission denied for schema (supabase_functions|auth)/);
  }, 120_000);

  it("with the Supabase products' DUMP_EXCLUDE_SCHEMAS it dumps, and the restore check restores public with its extension", async () => {
    const env = Object.fromEntries(dumpSchemasEnv({ exclude: SUPABASE_INTERNAL_SCHEMAS }).map((e) => [e.name, e.value]));
    expect(Object.keys(env)).toEqual(["DUMP_EXCLUDE_SCHEMAS"]);
    const run = await runBackupScript(backupEnv(env));
    expect(run.code, run.stderr).toBe(0);

    const tmp = mkdtempSync(join(work, "verify-"));
    if (isRoot) {
      const [uid, gid] = ["-u", "-g"].map((f) => Number(spawnSync("id", [f, "postgres"], { encoding: "utf8" }).stdout.trim()));
      chownSync(tmp, uid, gid);
    }
    const verifyEnv = {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      S3_ENDPOINT: s3!.endpoint,
      S3_BUCKET: BUCKET,
      S3_REGION: REGION,
      BACKUP_PREFIX: "daily/",
      PRODUCT: "codebook",
      EXPECTED_TABLES: "codebooks",
      RESTORE_SCHEMAS: "public",
      PATH: `${tools.binDir}:${SYSTEM_PATH}`,
      HOME: tmp,
      VERIFY_TMPDIR: tmp,
      LC_ALL: "C",
    };
    const [cmd, args] = isRoot ? ["runuser", ["-u", "postgres", "--", "/bin/sh", RESTORE_VERIFY_SCRIPT_PATH]] : ["/bin/sh", [RESTORE_VERIFY_SCRIPT_PATH]];
    const verify = await spawnAsync(cmd, args as string[], verifyEnv);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout.trim())).toMatchObject({ key: run.result!.key, tables: 1, rows: 25 });
  }, 180_000);
});
