/**
 * An app's DATABASE_URL as the products write it (seed 004 runs Prisma, whose URL arguments are
 * `schema`, `connection_limit`, `pool_timeout`, `pgbouncer`: Prisma docs, "PostgreSQL database
 * connector", "Arguments"), handed to the platform's real PostgreSQL clients:
 * - pg-backup.sh (pg_dump) and db-maintenance.sh (psql): libpq refuses the Prisma arguments
 *   ("invalid URI query parameter"), so the scripts keep only libpq's own parameters and dump the
 *   schema Prisma's `schema` names;
 * - postgres_exporter (Debian's prometheus-postgres-exporter, lib/pq) with the DSN the
 *   PostgresExporter component puts in its Secret: lib/pq would send the Prisma arguments to the
 *   server as startup parameters, the server refuses them, and pg_up is 0.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BackupEnv, downloadObject, runBackupScript, spawnAsync } from "./backup-run";
import { PostgresServer, ensurePostgresTools, freePort, startPostgres } from "./postgres";
import { S3Stub, startS3Stub } from "./s3-stub";
import { DB_MAINTENANCE_FILES } from "../../components/data/database-maintenance";
import { installRecordingMocks } from "../helpers/mocks";
import { PostgresExporter } from "../../components/monitoring/postgres-exporter";

const BUCKET = "ara-prod-backups";
const REGION = "us-east-1";
const ACCESS_KEY_ID = "AKIAURLDRILLTEST0001";
const SECRET_ACCESS_KEY = randomBytes(30).toString("base64");
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Prisma's own arguments (Prisma docs, "PostgreSQL database connector" → "Arguments"), plus one libpq keeps. */
const PRISMA_ARGS = "schema=app&connection_limit=5&pool_timeout=10&pgbouncer=true&sslmode=disable";
/** 2026-12-05 is the first Saturday of December 2026, inside the maintenance window. */
const FIRST_SATURDAY_0300 = Date.UTC(2026, 11, 5, 3, 0, 0) / 1000;

const rec = installRecordingMocks({ stack: "prod" });
beforeEach(() => rec.reset());

let pg: PostgresServer | undefined;
let s3: S3Stub | undefined;
let work: string;
const prismaUrl = (): string => `${pg!.url("ara")}?${PRISMA_ARGS}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "url-drill-"));
  chmodSync(work, 0o755);
  pg = await startPostgres(ensurePostgresTools());
  pg.psql("postgres", "CREATE DATABASE ara;");
  pg.psql(
    "ara",
    `CREATE EXTENSION citext;
     CREATE SCHEMA app;
     CREATE TABLE app.users (id integer PRIMARY KEY, email citext NOT NULL);
     INSERT INTO app.users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 10) g;
     CREATE TABLE public.scratch (id integer PRIMARY KEY);`,
  );
  s3 = await startS3Stub({ root: join(work, "s3"), buckets: [BUCKET], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION });
}, 900_000);

afterAll(async () => {
  await s3?.close();
  pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function backupEnv(overrides: Partial<BackupEnv> & Record<string, string> = {}): BackupEnv {
  return {
    DATABASE_URL: prismaUrl(),
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_ENDPOINT: s3!.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: REGION,
    BACKUP_PREFIX: "daily/",
    PRODUCT: "ara",
    BACKUP_TMPDIR: mkdtempSync(join(work, "tmp-")),
    ...overrides,
  };
}

/** The archive's table of contents, from the object the script uploaded. */
async function uploadedToc(env: BackupEnv, key: string): Promise<string> {
  const file = join(work, `${key.replaceAll("/", "_")}`);
  await downloadObject(env, key, file);
  return spawnSync("pg_restore", ["--list", file], { encoding: "utf8" }).stdout;
}

describe("pg-backup.sh with a Prisma DATABASE_URL", () => {
  it("libpq itself refuses the URL as the app writes it (the failure the script must avoid)", () => {
    const r = spawnSync("psql", ["-X", "-A", "-t", "-c", "SELECT 1", "-d", prismaUrl()], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/invalid URI query parameter: "(schema|connection_limit|pool_timeout|pgbouncer)"/);
  });

  it("dumps with libpq's parameters only, of the schema the URL names plus the extensions it uses, naming what it left out", async () => {
    const env = backupEnv();
    const run = await runBackupScript(env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/left out: connection_limit pool_timeout pgbouncer/);
    expect(run.stderr).not.toContain(new URL(pg!.url("ara")).password);
    const toc = await uploadedToc(env, run.result!.key);
    expect(toc).toMatch(/TABLE app users/);
    expect(toc).toMatch(/EXTENSION - citext/);
    expect(toc).not.toMatch(/TABLE public scratch/);
  }, 120_000);

  it("refuses a URL schema the product's DUMP_SCHEMAS or DUMP_EXCLUDE_SCHEMAS would leave out", async () => {
    const a = await runBackupScript(backupEnv({ DUMP_SCHEMAS: "public" }));
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/pg-backup: error: DATABASE_URL names schema "app", which is not one of DUMP_SCHEMAS \(public\)/);
    const b = await runBackupScript(backupEnv({ DUMP_EXCLUDE_SCHEMAS: "auth,app" }));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/DATABASE_URL names schema "app", which DUMP_EXCLUDE_SCHEMAS leaves out/);
  }, 120_000);

  it("a `?password=` goes to PGPASSWORD like the userinfo one", async () => {
    const u = new URL(pg!.url("ara"));
    const password = u.password;
    u.password = "";
    const run = await runBackupScript(backupEnv({ DATABASE_URL: `${u.toString()}?password=${password}&pgbouncer=true` }));
    expect(run.code, run.stderr).toBe(0);
  }, 120_000);
});

describe("db-maintenance.sh with a Prisma DATABASE_URL", () => {
  it("runs its SQL through psql with libpq's parameters only", async () => {
    const sql = join(work, "probe.sql");
    writeFileSync(sql, "SELECT 'probe ran';\n");
    const r = await spawnAsync("/bin/sh", [DB_MAINTENANCE_FILES.script], {
      DATABASE_URL: prismaUrl(),
      MAINTENANCE_SQL: sql,
      MAINTENANCE_NOW: String(FIRST_SATURDAY_0300),
      PATH: SYSTEM_PATH,
      HOME: work,
      LC_ALL: "C",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("probe ran");
    expect(r.stdout).toMatch(/left out: connection_limit pool_timeout pgbouncer/);
  }, 60_000);
});

describe("postgres_exporter with the DSN the PostgresExporter component stores", () => {
  /** Starts the real exporter with `dsn` and returns the value of `pg_up` from its first scrape. */
  async function pgUp(dsn: string): Promise<number> {
    const port = await freePort();
    const child: ChildProcess = spawn("prometheus-postgres-exporter", [`--web.listen-address=127.0.0.1:${port}`, "--disable-default-metrics"], {
      env: { PATH: SYSTEM_PATH, DATA_SOURCE_NAME: dsn },
      stdio: "ignore",
    });
    try {
      for (let i = 0; i < 100; i++) {
        try {
          const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const m = /^pg_up (\d+)/m.exec(body);
          if (m) return Number(m[1]);
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("postgres_exporter did not answer");
    } finally {
      child.kill();
    }
  }

  it("the app's URL as it is leaves the exporter down (lib/pq sends the Prisma arguments to the server)", async () => {
    expect(await pgUp(prismaUrl())).toBe(0);
  }, 60_000);

  it("the Secret's DATA_SOURCE_NAME connects (pg_up 1), and stays a secret", async () => {
    new PostgresExporter("ara-postgres", {
      context: { environment: "prod", product: "ara", owner: "platform-team" },
      namespace: "ara-prod",
      exporter: { mode: "deploy", image: { repository: "quay.io/prometheuscommunity/postgres-exporter", tag: "v0.17.1" }, dsn: prismaUrl() },
    });
    await rec.settle();
    const secret = rec.one("kubernetes:core/v1:Secret", "ara-postgres-dsn");
    expect(secret.secretPaths.some((p) => p === "stringData" || p === "stringData.DATA_SOURCE_NAME")).toBe(true);
    const dsn: string = secret.inputs.stringData.DATA_SOURCE_NAME;
    expect(dsn).toBe(`${pg!.url("ara")}?sslmode=disable`);
    expect(await pgUp(dsn)).toBe(1);
  }, 60_000);
});
