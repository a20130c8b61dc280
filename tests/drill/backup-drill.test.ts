/**
 * Backup and restore drill (seed 001 §4.4: "Perform test restore of database backup, verify data
 * integrity"): the backup job's own script, components/data/scripts/pg-backup.sh, dumps a real
 * PostgreSQL and uploads to a SigV4-verifying S3 endpoint; the object is downloaded, restored
 * into a fresh database and compared table by table. Then the faults the script promises to
 * survive: each exits non-zero with `pg-backup: error:` and leaves no object behind.
 *
 * Everything listens on 127.0.0.1 on free ports and is stopped in afterAll (and on exit).
 * PostgreSQL comes from Debian's packages, installed by ensurePostgresTools() when missing.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackupEnv, BackupRun, DrillShell, downloadObject, restoreDump, runBackupScript, smallDisk, spawnAsync } from "./backup-run";
import { PostgresServer, PostgresTools, ensurePostgresTools, freePort, startPostgres } from "./postgres";
import { S3Stub, startS3Stub } from "./s3-stub";
import { DatabaseFingerprint, createDrillSchema, fingerprint, insertDrillRows } from "./seed";

const DATABASE = "codebook";
const BUCKET = "app-platform-prod-backups";
const REGION = "us-east-1";
const ACCESS_KEY_ID = "AKIADRILLTEST0000001";
const SECRET_ACCESS_KEY = randomBytes(30).toString("base64");
const CHUNKS = 4000;
/** Objects the job writes: `<prefix><product>-<UTC timestamp>.dump` (components/data/scripts/pg-backup.sh). */
const KEY = /^(daily|weekly)\/codebook-\d{8}T\d{6}Z\.dump$/;

let tools: PostgresTools;
let pg: PostgresServer | undefined;
let s3: S3Stub | undefined;
let work: string;
let source: DatabaseFingerprint;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "backup-drill-"));
  tools = ensurePostgresTools(); // may run apt-get once; excluded from the drill's time budget
  pg = await startPostgres(tools);
  pg.psql("postgres", `CREATE DATABASE ${DATABASE};`);
  createDrillSchema(pg, DATABASE, { vector: tools.pgvector });
  insertDrillRows(pg, DATABASE, { vector: tools.pgvector, from: 1, to: CHUNKS });
  // Gaps and updates, so sequences and row order are not trivially 1..n.
  pg.psql(DATABASE, "DELETE FROM chunks WHERE id % 501 = 0; UPDATE jobs SET status = 'done' WHERE cost > 40; ANALYZE;");
  source = fingerprint(pg, DATABASE);
  s3 = await startS3Stub({ root: join(work, "s3"), buckets: [BUCKET], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION });
}, 900_000);

afterAll(async () => {
  await s3?.close();
  pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh, empty BACKUP_TMPDIR (so each run can be checked for leftovers). */
function tmpDir(): string {
  return mkdtempSync(join(work, "tmp-"));
}

function jobEnv(overrides: Partial<BackupEnv> = {}): BackupEnv {
  return {
    DATABASE_URL: pg!.url(DATABASE),
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_ENDPOINT: s3!.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: REGION,
    BACKUP_PREFIX: "daily/",
    PRODUCT: "codebook",
    BACKUP_TMPDIR: tmpDir(),
    ...overrides,
  };
}

/**
 * Every fault: exit 1, the script's last stderr line is one `pg-backup: error: <reason>` line (the
 * tool's own message may precede it), no new object, no temp files left.
 */
function expectCleanFailure(run: BackupRun, env: BackupEnv, keysBefore: string[], reason: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe("");
  const last = run.stderr.trimEnd().split("\n").pop();
  expect(last).toMatch(/^pg-backup: error: /);
  expect(last).toMatch(reason);
  expect(s3!.keys(BUCKET)).toEqual(keysBefore);
  expect(readdirSync(env.BACKUP_TMPDIR)).toEqual([]);
}

describe("backup drill: pg-backup.sh → S3 → pg_restore", () => {
  it("seeds a database worth backing up", () => {
    expect(Object.keys(source.tables)).toEqual(["chunks", "codebooks", "jobs"]);
    expect(source.tables.chunks).toMatch(/^3993 [0-9a-f]{32}$/); // 4000 minus every 501st
    expect(source.tables.jobs).toMatch(/^1000 [0-9a-f]{32}$/);
    expect(source.tables.codebooks).toMatch(/^100 [0-9a-f]{32}$/);
    expect(source.sequences).toEqual({ chunks_id_seq: String(CHUNKS), codebooks_id_seq: "100" });
    const embeddingType = pg!.psql(
      DATABASE,
      "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'chunks'::regclass AND attname = 'embedding';",
    );
    expect(embeddingType.trim()).toBe(tools.pgvector ? "vector(16)" : "real[]");
    if (!tools.pgvector) console.warn(`drill: pgvector is not packaged for PostgreSQL ${tools.major} here; embeddings are real[]`);
  });

  it.each<DrillShell>(["dash", "busybox"])("backs up with %s and restores an identical database", async (shell) => {
    const env = jobEnv({ BACKUP_PREFIX: shell === "dash" ? "daily/" : "weekly/" });
    const run = await runBackupScript(env, { shell });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const { key, bytes } = run.result!;
    expect(key).toMatch(KEY);
    expect(key.startsWith(env.BACKUP_PREFIX)).toBe(true);
    expect(s3!.keys(BUCKET)).toContain(key);
    expect(s3!.requests.at(-1)).toEqual({ method: "PUT", path: `/${BUCKET}/${key}`, status: 200 });
    expect(readdirSync(env.BACKUP_TMPDIR)).toEqual([]); // the trap removed the dump

    const file = join(work, `${shell}.dump`);
    await downloadObject(env, key, file);
    expect(statSync(file).size).toBe(bytes);
    const database = `restored_${shell}`;
    restoreDump(pg!, file, database);
    expect(fingerprint(pg!, database)).toEqual({ ...source, bytes: expect.any(Number) });
  });

  it.each<DrillShell>(["dash", "busybox"])(
    "with %s, keeps every secret off command lines: the database password reaches pg_dump as PGPASSWORD, the S3 keys reach curl on stdin",
    async (shell) => {
      // A least-privilege backup role whose password has every character a URI must escape,
      // a newline included.
      const role = `drill_backup_${shell}`;
      const password = `p@ss:w/rd%?&#+ é\n-${randomBytes(6).toString("hex")}`;
      pg!.psql("postgres", `CREATE ROLE ${role} LOGIN PASSWORD '${password}'; GRANT pg_read_all_data TO ${role};`);
      const url = `postgresql://${role}:${encodeURIComponent(password)}@127.0.0.1:${pg!.port}/${DATABASE}?application_name=pg-backup`;
      const env = jobEnv({ DATABASE_URL: url });
      const log = join(work, `argv-${shell}.log`);
      const run = await runBackupScript(env, { shell, argvLog: log });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const lines = readFileSync(log, "utf8").trimEnd().split("\n");
      // The recorders saw the calls (so their absence of secrets means something) …
      expect(lines.find((l) => l.startsWith("pg_dump "))).toContain(
        `--dbname=postgresql://${role}@127.0.0.1:${pg!.port}/${DATABASE}?application_name=pg-backup`,
      );
      expect(lines.find((l) => l.startsWith("curl "))).toContain("--config -");
      // … and no argument list carried a secret, in plain or URI-encoded form.
      const recorded = readFileSync(log, "utf8");
      for (const secret of [password, password.split("\n")[0], encodeURIComponent(password), SECRET_ACCESS_KEY, ACCESS_KEY_ID]) {
        expect(recorded).not.toContain(secret);
      }
      const file = join(work, `least-privilege-${shell}.dump`);
      await downloadObject(env, run.result!.key, file);
      const database = `restored_least_privilege_${shell}`;
      restoreDump(pg!, file, database);
      expect(fingerprint(pg!, database)).toEqual({ ...source, bytes: expect.any(Number) });
    },
  );

  describe("faults: exit 1, `pg-backup: error:`, no object under the key", () => {
    it("database unreachable (nothing listens on the port)", async () => {
      const port = await freePort();
      const env = jobEnv({ DATABASE_URL: pg!.url(DATABASE).replace(`:${pg!.port}/`, `:${port}/`) });
      const [keys, requests] = [s3!.keys(BUCKET), s3!.requests.length];
      const run = await runBackupScript(env);
      expectCleanFailure(run, env, keys, /pg-backup: error: pg_dump failed \(database unreachable/);
      expect(run.stderr).toMatch(/Connection refused/);
      expect(s3!.requests.length).toBe(requests); // never got as far as the upload
    });

    it("bucket unreachable (the S3 server is stopped)", async () => {
      const root = join(work, "s3-stopped");
      const stopped = await startS3Stub({ root, buckets: [BUCKET], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION });
      await stopped.close();
      const env = jobEnv({ S3_ENDPOINT: stopped.endpoint });
      const run = await runBackupScript(env);
      expectCleanFailure(run, env, s3!.keys(BUCKET), /pg-backup: error: upload to http:\/\/127\.0\.0\.1:\d+\/\S+ failed: curl could not complete the request/);
      expect(run.stderr).toMatch(/Failed to connect|Connection refused|Couldn't connect/);
      expect(stopped.keys(BUCKET)).toEqual([]);
    });

    it.each([
      ["the secret key is wrong", { AWS_SECRET_ACCESS_KEY: randomBytes(30).toString("base64") }, "SignatureDoesNotMatch"],
      ["the access key id is unknown", { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000" }, "InvalidAccessKeyId"],
    ] as const)("credentials wrong: %s (HTTP 403 from the server)", async (_, overrides, code) => {
      const env = jobEnv(overrides);
      const keys = s3!.keys(BUCKET);
      const run = await runBackupScript(env);
      expectCleanFailure(run, env, keys, new RegExp(`upload to \\S+ failed: HTTP 403: <\\?xml .*<Code>${code}</Code>`));
      expect(s3!.requests.at(-1)).toMatchObject({ method: "PUT", status: 403, code });
    });

    it("disk full during the dump (BACKUP_TMPDIR on a 64 KiB tmpfs)", async () => {
      const limit = 64 * 1024;
      const measured = join(work, "size-check.dump");
      const dump = spawnSync("pg_dump", ["--format=custom", `--file=${measured}`, `--dbname=${pg!.url(DATABASE)}`]);
      expect(dump.status).toBe(0);
      expect(statSync(measured).size).toBeGreaterThan(4 * limit); // the dump cannot fit

      const disk = smallDisk(limit);
      try {
        const env = jobEnv({ BACKUP_TMPDIR: disk.dir });
        const keys = s3!.keys(BUCKET);
        const run = await runBackupScript(env, { fileSizeLimit: disk.fileSizeLimit });
        const cause = disk.mechanism === "tmpfs" ? /No space left on device/ : /File too large/;
        expectCleanFailure(run, env, keys, /pg-backup: error: pg_dump failed \(.*full\)/);
        expect(run.stderr).toMatch(cause);
        if (disk.mechanism !== "tmpfs") console.warn("drill: mount not permitted; disk full simulated with RLIMIT_FSIZE");
      } finally {
        disk.remove();
      }
    });
  });

  it("the S3 stub rejects a body that does not match its Content-MD5 or signed hash, and stores nothing", async () => {
    const file = join(work, "body.bin");
    writeFileSync(file, randomBytes(4096));
    const put = (key: string, md5: string, sha256: string) =>
      spawnAsync(
        "curl",
        [
          "-sS",
          "--aws-sigv4",
          `aws:amz:${REGION}:s3`,
          "--user",
          `${ACCESS_KEY_ID}:${SECRET_ACCESS_KEY}`,
          "-H",
          `Content-MD5: ${md5}`,
          "-H",
          `x-amz-content-sha256: ${sha256}`,
          "--upload-file",
          file,
          `${s3!.endpoint}/${BUCKET}/${key}`,
        ],
        { PATH: "/usr/bin:/bin" },
      );
    const keys = s3!.keys(BUCKET);
    const md5 = (s: string) => spawnSync("openssl", ["dgst", "-md5", "-binary", s]).stdout.toString("base64");
    const sha = (s: string) => spawnSync("openssl", ["dgst", "-sha256", "-r", s]).stdout.toString().split(" ")[0];
    expect((await put("stub/bad-md5", "1B2M2Y8AsgTpgAmY7PhCfg==", sha(file))).stdout).toContain("<Code>BadDigest</Code>");
    expect((await put("stub/bad-sha", md5(file), "0".repeat(64))).stdout).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
    expect(s3!.keys(BUCKET)).toEqual(keys);
    expect((await put("stub/good", md5(file), sha(file))).stdout).toBe("");
    expect(s3!.keys(BUCKET)).toContain("stub/good");
  });
});
