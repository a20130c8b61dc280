/**
 * Restore-verification drill (seed 001 §4.4 monthly test restore; seeds 000 and 004 weekly backup
 * integrity check): the RestoreVerification job's own script, components/data/scripts/pg-restore-verify.sh,
 * lists a SigV4-checking S3 endpoint, downloads the newest backup pg-backup.sh wrote, restores it
 * into a throwaway PostgreSQL it starts itself (Debian's server binaries, as the image's), and
 * checks tables and rows. A good backup passes; a truncated, corrupted, missing, stale or
 * unreachable one, a missing or empty table all exit 1 with `pg-restore-verify: error:`.
 *
 * Everything listens on 127.0.0.1 (the throwaway server on a Unix socket only) and stops by itself.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackupEnv, DrillShell, ProcessResult, runBackupScript, spawnAsync } from "./backup-run";
import { PostgresServer, PostgresTools, ensurePostgresTools, startPostgres } from "./postgres";
import { S3Stub, startS3Stub } from "./s3-stub";
import { createDrillSchema, insertDrillRows } from "./seed";
import { RESTORE_VERIFY_SCRIPT_PATH } from "../../components/data/restore-verification";

const DATABASE = "codebook";
const BUCKET = "codebook-prod-backups";
const REGION = "us-east-1";
const ACCESS_KEY_ID = "AKIAVERIFYTEST000001";
const SECRET_ACCESS_KEY = randomBytes(30).toString("base64");
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const EXPECTED_TABLES = "codebooks,public.chunks,jobs";
const isRoot = process.getuid?.() === 0;

let tools: PostgresTools;
let pg: PostgresServer | undefined;
let s3: S3Stub | undefined;
let work: string;
/** The key and bytes of the good backup pg-backup.sh wrote under `daily/`. */
let good: { key: string; file: string };
/** A backup of a database with contrib extensions in `public` and in `extensions`, under `ext/`. */
let withExtensions: { key: string };

/**
 * contrib extensions (PostgreSQL 15's own, in Debian's postgresql-15 package) installed as a
 * Supabase project installs them: one in `public`, the others in schema `extensions`
 * (Supabase docs, "Postgres Extensions": extensions are created in the `extensions` schema), and
 * tables in `public` whose columns and indexes use their types and operator classes.
 */
const EXTENSIONS_SQL = `
  CREATE EXTENSION citext;
  CREATE SCHEMA extensions;
  CREATE EXTENSION hstore WITH SCHEMA extensions;
  CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
  CREATE TABLE people (id integer PRIMARY KEY, email citext NOT NULL UNIQUE);
  CREATE TABLE docs (id integer PRIMARY KEY, attrs extensions.hstore NOT NULL, title text NOT NULL);
  CREATE INDEX docs_title_trgm ON docs USING gin (title extensions.gin_trgm_ops);
  INSERT INTO people SELECT g, 'User' || g || '@Example.com' FROM generate_series(1, 20) g;
  INSERT INTO docs SELECT g, extensions.hstore('n', g::text), 'title ' || g FROM generate_series(1, 20) g;`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "restore-drill-"));
  chmodSync(work, 0o711); // the script runs as `postgres` and must reach its VERIFY_TMPDIR below
  tools = ensurePostgresTools();
  pg = await startPostgres(tools);
  pg.psql("postgres", `CREATE DATABASE ${DATABASE};`);
  createDrillSchema(pg, DATABASE, { vector: tools.pgvector });
  insertDrillRows(pg, DATABASE, { vector: tools.pgvector, from: 1, to: 300 });
  pg.psql(DATABASE, "CREATE TABLE audit_empty (id integer PRIMARY KEY);");
  // Pages of 2 keys, so the script must follow continuation tokens to find the newest.
  s3 = await startS3Stub({
    root: join(work, "s3"),
    buckets: [BUCKET],
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    region: REGION,
    pageSize: 2,
  });
  const backupTmp = mkdtempSync(join(work, "backup-"));
  const run = await runBackupScript({
    DATABASE_URL: pg.url(DATABASE),
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: REGION,
    BACKUP_PREFIX: "daily/",
    PRODUCT: "codebook",
    BACKUP_TMPDIR: backupTmp,
  } satisfies BackupEnv);
  if (!run.result) throw new Error(`pg-backup.sh failed: ${run.stderr}`);
  good = { key: run.result.key, file: objectFile(run.result.key) };
  // Older objects under the same prefix (one of them garbage) and another product's: the script
  // must take the newest of this product's only.
  putObject("daily/codebook-20200101T000000Z.dump", Buffer.from("not a dump"));
  putObject("daily/codebook-20210101T000000Z.dump", readFileSync(good.file));
  putObject("daily/other-20990101T000000Z.dump", Buffer.from("another product"));

  pg.psql("postgres", "CREATE DATABASE extdb;");
  pg.psql("extdb", EXTENSIONS_SQL);
  const ext = await runBackupScript({
    DATABASE_URL: pg.url("extdb"),
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: REGION,
    BACKUP_PREFIX: "ext/",
    PRODUCT: "codebook",
    BACKUP_TMPDIR: backupTmp,
  } satisfies BackupEnv);
  if (!ext.result) throw new Error(`pg-backup.sh of extdb failed: ${ext.stderr}`);
  withExtensions = { key: ext.result.key };
}, 900_000);

afterAll(async () => {
  await s3?.close();
  pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Where the stub keeps `key` (tests/drill/s3-stub.ts: one file per key, metadata beside it). */
function objectFile(key: string): string {
  return join(work, "s3", BUCKET, encodeURIComponent(key));
}

/** Stores `body` under `key` directly, with the metadata pg-backup.sh would have sent (`meta`). */
function putObject(key: string, body: Buffer, meta: Record<string, string> = {}): void {
  writeFileSync(objectFile(key), body);
  writeFileSync(`${objectFile(key)}.meta-json`, JSON.stringify(meta));
}

/** The metadata the stub kept for the good backup (its `x-amz-meta-sha256`). */
function goodMeta(): Record<string, string> {
  return JSON.parse(readFileSync(`${good.file}.meta-json`, "utf8"));
}

interface VerifyEnv {
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  readonly S3_ENDPOINT: string;
  readonly S3_BUCKET: string;
  readonly S3_REGION: string;
  readonly BACKUP_PREFIX: string;
  readonly PRODUCT: string;
  readonly EXPECTED_TABLES?: string;
  readonly RESTORE_SCHEMAS?: string;
  readonly MAX_BACKUP_AGE_HOURS?: string;
}

function verifyEnv(overrides: Partial<VerifyEnv> = {}): VerifyEnv {
  return {
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_ENDPOINT: s3!.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: REGION,
    BACKUP_PREFIX: "daily/",
    PRODUCT: "codebook",
    EXPECTED_TABLES,
    ...overrides,
  };
}

interface VerifyRun extends ProcessResult {
  readonly result?: { key: string; bytes: number; tables: number; rows: number; restoreSeconds: number; seconds: number };
  /** What was left in VERIFY_TMPDIR afterwards. */
  readonly leftovers: string[];
}

/**
 * Runs the script with exactly `env` (plus PATH with the server binaries, HOME and VERIFY_TMPDIR),
 * as an unprivileged user as in the pod (runuser to `postgres` when the tests run as root), under
 * dash or busybox ash with busybox's applets first on PATH (the image is Alpine).
 */
async function runVerify(env: VerifyEnv, shell: DrillShell = "dash"): Promise<VerifyRun> {
  const tmp = mkdtempSync(join(work, "verify-"));
  let applets: string | undefined;
  if (shell === "busybox") {
    applets = mkdtempSync(join(work, "applets-"));
    chmodSync(applets, 0o755);
    for (const a of ["sh", "date", "wc", "head", "tr", "sed", "sort", "tail", "rm", "mkdir", "id"]) {
      spawnSync("ln", ["-s", "/bin/busybox", join(applets, a)]);
    }
  }
  if (isRoot) {
    const [uid, gid] = ["-u", "-g"].map((f) => Number(spawnSync("id", [f, "postgres"], { encoding: "utf8" }).stdout.trim()));
    chownSync(tmp, uid, gid);
  }
  const path = [applets, tools.binDir, SYSTEM_PATH].filter(Boolean).join(":");
  const full = { ...env, PATH: path, HOME: tmp, VERIFY_TMPDIR: tmp, LC_ALL: "C" };
  const sh = applets ? join(applets, "sh") : "/bin/sh";
  const [cmd, args] = isRoot ? ["runuser", ["-u", "postgres", "--", sh, RESTORE_VERIFY_SCRIPT_PATH]] : [sh, [RESTORE_VERIFY_SCRIPT_PATH]];
  const r = await spawnAsync(cmd, args as string[], full);
  const leftovers = existsSync(tmp) ? readdirSync(tmp) : [];
  rmSync(tmp, { recursive: true, force: true });
  if (applets) rmSync(applets, { recursive: true, force: true });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return r.code === 0 && line.startsWith("{") ? { ...r, result: JSON.parse(line), leftovers } : { ...r, leftovers };
}

/** Exit 1, the last stderr line one `pg-restore-verify: error: <reason>`, nothing left behind. */
function expectFailure(run: VerifyRun, reason: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  const last = run.stderr.trimEnd().split("\n").pop() ?? "";
  expect(last).toMatch(/^pg-restore-verify: error: /);
  expect(last).toMatch(reason);
  expect(run.stdout).toBe("");
  expect(run.leftovers).toEqual([]);
}

describe("restore drill: pg-backup.sh → S3 → pg-restore-verify.sh", () => {
  for (const shell of ["dash", "busybox"] as const) {
    it(`a good backup passes: the newest of this product's keys, restored, its tables counted (${shell})`, async () => {
      const run = await runVerify(verifyEnv(), shell);
      expect(run.code, run.stderr).toBe(0);
      expect(run.result).toMatchObject({ key: good.key, tables: 3, bytes: readFileSync(good.file).length });
      expect(run.result!.rows).toBeGreaterThan(300);
      expect(run.leftovers).toEqual([]);
      // It followed the continuation tokens (pages of 2 keys) and read only what it needed.
      const lists = s3!.requests.filter((q) => q.method === "GET" && q.path === `/${BUCKET}`);
      expect(lists.length).toBeGreaterThanOrEqual(2);
    }, 180_000);
  }

  it("without EXPECTED_TABLES it checks that some restored table has rows", async () => {
    const run = await runVerify(verifyEnv({ EXPECTED_TABLES: "" }));
    expect(run.code, run.stderr).toBe(0);
    expect(run.result!.tables).toBeGreaterThanOrEqual(4);
  }, 180_000);

  it("restores only RESTORE_SCHEMAS, creating the dump's extensions first", async () => {
    const run = await runVerify(verifyEnv({ RESTORE_SCHEMAS: "public" }));
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ key: good.key, tables: 3 });
  }, 180_000);

  describe("a database using extensions (citext in public; hstore, pg_trgm in `extensions`)", () => {
    for (const shell of ["dash", "busybox"] as const) {
      it(`RESTORE_SCHEMAS=public creates the dump's extensions in their own schemas first, then restores public (${shell})`, async () => {
        const run = await runVerify(verifyEnv({ BACKUP_PREFIX: "ext/", EXPECTED_TABLES: "people,docs", RESTORE_SCHEMAS: "public" }), shell);
        expect(run.code, run.stderr).toBe(0);
        expect(run.result).toMatchObject({ key: withExtensions.key, tables: 2, rows: 40 });
        expect(run.leftovers).toEqual([]);
      }, 180_000);
    }

    it("the whole dump restores too", async () => {
      const run = await runVerify(verifyEnv({ BACKUP_PREFIX: "ext/", EXPECTED_TABLES: "people,docs" }));
      expect(run.code, run.stderr).toBe(0);
      expect(run.result).toMatchObject({ key: withExtensions.key, tables: 2, rows: 40 });
    }, 180_000);

    it("an extension the image lacks fails a whole-dump restore by name, and is skipped with RESTORE_SCHEMAS", async () => {
      // Rename the extension in the archive's text ("citext" → "citexz", same length) so this
      // server does not have it; the object is stored without a checksum so only pg_restore reads it.
      const body = Buffer.from(readFileSync(objectFile(withExtensions.key)).toString("latin1").replaceAll("citext", "citexz"), "latin1");
      putObject("ext-missing/codebook-20990101T000000Z.dump", body);
      expectFailure(
        await runVerify(verifyEnv({ BACKUP_PREFIX: "ext-missing/", EXPECTED_TABLES: "docs" })),
        /needs the extension "citexz", which this image does not have/,
      );
      const run = await runVerify(verifyEnv({ BACKUP_PREFIX: "ext-missing/", EXPECTED_TABLES: "docs", RESTORE_SCHEMAS: "public" }));
      // `people` uses the missing type, so the restore of public must still fail, but on pg_restore, not before.
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/extension "citexz" is not in this image; skipped/);
    }, 180_000);
  });

  describe("faults: exit 1 with `pg-restore-verify: error:`", () => {
    it("a truncated object (its recorded SHA-256 no longer matches)", async () => {
      const body = readFileSync(good.file);
      putObject("trunc/codebook-20990101T000000Z.dump", body.subarray(0, Math.floor(body.length / 2)), goodMeta());
      expectFailure(await runVerify(verifyEnv({ BACKUP_PREFIX: "trunc/" })), /trunc\/codebook-20990101T000000Z\.dump is corrupt: its SHA-256 is/);
    }, 180_000);

    it("a truncated object without a recorded checksum (pg_restore finds it)", async () => {
      const body = readFileSync(good.file);
      putObject("trunc-old/codebook-20990101T000000Z.dump", body.subarray(0, Math.floor(body.length / 2)));
      expectFailure(
        await runVerify(verifyEnv({ BACKUP_PREFIX: "trunc-old/" })),
        /pg_restore of trunc-old\/codebook-20990101T000000Z\.dump failed|not a readable pg_dump archive/,
      );
    }, 180_000);

    it("a corrupted object (same length, bytes flipped in the middle)", async () => {
      const body = Buffer.from(readFileSync(good.file));
      for (let i = 0; i < 64; i++) body[Math.floor(body.length / 2) + i] ^= 0xff;
      putObject("corrupt/codebook-20990101T000000Z.dump", body, goodMeta());
      expectFailure(
        await runVerify(verifyEnv({ BACKUP_PREFIX: "corrupt/" })),
        /is corrupt: its SHA-256 is [0-9a-f]{64}, but pg-backup\.sh recorded [0-9a-f]{64}/,
      );
    }, 180_000);

    it("a corrupted object without a recorded checksum (pg_restore finds it)", async () => {
      const body = Buffer.from(readFileSync(good.file));
      for (let i = 0; i < 64; i++) body[Math.floor(body.length / 2) + i] ^= 0xff;
      putObject("corrupt-old/codebook-20990101T000000Z.dump", body);
      expectFailure(
        await runVerify(verifyEnv({ BACKUP_PREFIX: "corrupt-old/" })),
        /pg_restore of corrupt-old\/codebook-20990101T000000Z\.dump failed|not a readable pg_dump archive/,
      );
    }, 180_000);

    it("an empty prefix", async () => {
      expectFailure(await runVerify(verifyEnv({ BACKUP_PREFIX: "weekly/" })), /no backup under codebook-prod-backups\/weekly\//);
    }, 60_000);

    it("wrong credentials (the listing is refused)", async () => {
      expectFailure(
        await runVerify(verifyEnv({ AWS_SECRET_ACCESS_KEY: randomBytes(30).toString("base64") })),
        /listing codebook-prod-backups\/daily\/ failed: HTTP 403: .*SignatureDoesNotMatch/,
      );
      expectFailure(await runVerify(verifyEnv({ AWS_ACCESS_KEY_ID: "AKIAWRONGWRONGWRONG0" })), /HTTP 403: .*InvalidAccessKeyId/);
    }, 60_000);

    it("an expected table that is missing, or empty", async () => {
      expectFailure(await runVerify(verifyEnv({ EXPECTED_TABLES: "codebooks,public.nope" })), /the expected table public\.nope is missing/);
      expectFailure(await runVerify(verifyEnv({ EXPECTED_TABLES: "codebooks,audit_empty" })), /the expected table public\.audit_empty is empty \(0 rows\)/);
    }, 180_000);

    it("a newest backup older than MAX_BACKUP_AGE_HOURS", async () => {
      putObject("stale/codebook-20210101T000000Z.dump", readFileSync(good.file), goodMeta());
      expectFailure(await runVerify(verifyEnv({ BACKUP_PREFIX: "stale/", MAX_BACKUP_AGE_HOURS: "48" })), /is older than MAX_BACKUP_AGE_HOURS=48/);
      const fresh = await runVerify(verifyEnv({ MAX_BACKUP_AGE_HOURS: "48" }));
      expect(fresh.code, fresh.stderr).toBe(0);
    }, 180_000);

    it("the S3 endpoint unreachable", async () => {
      expectFailure(await runVerify(verifyEnv({ S3_ENDPOINT: "http://127.0.0.1:9" })), /listing .* failed: curl could not complete the request/);
    }, 120_000);
  });
});
