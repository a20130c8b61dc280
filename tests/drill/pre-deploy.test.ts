/**
 * The release chain against a real PostgreSQL (issue 20; seed 001 §3.3 "Backup production database
 * before migration", "Run migrations before deploying new code", "Verify rollback procedure
 * works"): the pre-deploy backup Job of Codebook's api is run exactly as the recorded prod plan
 * gives it — its command, the scripts its ConfigMap mounts (written out byte for byte from the
 * plan), every environment variable of its container, `pre-deploy/` prefix included — then a
 * migration, then the rollback: the pre-deploy dump restores the schema and data from before the
 * migration. A failing migration leaves the database half-changed, and the same dump brings it back.
 *
 * Stand-ins, each stated: the migration is a SQL file run by `psql` standing in for the app's
 * `npx prisma migrate deploy` (the image is not here); the S3 endpoint is the SigV4-verifying stub
 * (tests/drill/s3-stub.ts) in place of the plan's `https://s3.<region>.amazonaws.com`, with the
 * plan's bucket name and region; the secrets the Job reads through `secretKeyRef` are the test
 * server's URL and the stub's keys; `/tmp` (the Job's emptyDir) is a fresh directory.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadObject, restoreDump, spawnAsync, type BackupEnv } from "./backup-run";
import { type PostgresServer, ensurePostgresTools, startPostgres } from "./postgres";
import { type S3Stub, startS3Stub } from "./s3-stub";
import { type DatabaseFingerprint, createDrillSchema, fingerprint, insertDrillRows } from "./seed";
import { PG_BACKUP_SCRIPT_PATH, PG_URL_SCRIPT_PATH } from "../../components/data/backup-job";
import { PRE_DEPLOY_PREFIX } from "../../components/data/pre-deploy-backup";

const PLAN = join(__dirname, "../fixtures/recorded-plans/prod.json");
const DATABASE = "codebook";
const ACCESS_KEY_ID = "AKIADRILLPREDEPLOY01";
const SECRET_ACCESS_KEY = randomBytes(30).toString("base64");
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** The pre-deploy Job and its scripts ConfigMap as the recorded prod plan has them. */
function planned(): { command: string[]; env: EnvVar[]; scripts: Record<string, string>; mountPath: string } {
  const plan = JSON.parse(readFileSync(PLAN, "utf8")) as { resources: { name: string; inputs: any }[] };
  const byName = (n: string) => {
    const r = plan.resources.find((x) => x.name === n);
    if (!r) throw new Error(`${n} is not in ${PLAN}`);
    return r.inputs;
  };
  const pod = byName("codebook-api-pre-deploy-job").spec.template.spec;
  const [c] = pod.containers;
  const mount = c.volumeMounts.find((m: any) => m.name === "scripts");
  return { command: c.command, env: c.env, scripts: byName("codebook-api-pre-deploy-script").data, mountPath: mount.mountPath };
}

/** seed 001 §3.3's migration form (`BEGIN; … COMMIT;`), with a change only a backup can undo (a dropped column). */
const MIGRATION = `BEGIN;
ALTER TABLE codebooks DROP COLUMN meta;
ALTER TABLE jobs ADD COLUMN started_at timestamptz;
CREATE INDEX idx_jobs_status ON jobs (status, started_at);
COMMIT;
`;
/** A migration that is not one transaction and fails half-way: its first two statements stay applied. */
const FAILING_MIGRATION = `ALTER TABLE codebooks DROP COLUMN meta;
UPDATE chunks SET content = '';
ALTER TABLE jobs ADD COLUMN codebook_id bigint;
`;

let pg: PostgresServer | undefined;
let s3: S3Stub | undefined;
let work: string;
let job: ReturnType<typeof planned>;
let scriptsDir: string;
let bucket: string;
let region: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pre-deploy-drill-"));
  job = planned();
  // The ConfigMap's files where the container finds them (`/scripts` → a directory of ours).
  scriptsDir = join(work, "scripts");
  mkdirSync(scriptsDir);
  for (const [file, text] of Object.entries(job.scripts)) writeFileSync(join(scriptsDir, file), text);
  const envValue = (name: string) => job.env.find((e) => e.name === name)?.value;
  bucket = envValue("S3_BUCKET")!;
  region = envValue("S3_REGION")!;
  const tools = ensurePostgresTools();
  pg = await startPostgres(tools);
  s3 = await startS3Stub({ root: join(work, "s3"), buckets: [bucket], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region });
}, 900_000);

afterAll(async () => {
  await s3?.close();
  pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh database with the drill schema and rows. */
function freshDatabase(name: string): DatabaseFingerprint {
  pg!.psql("postgres", `DROP DATABASE IF EXISTS "${name}" WITH (FORCE); CREATE DATABASE "${name}";`);
  createDrillSchema(pg!, name, { vector: false });
  insertDrillRows(pg!, name, { vector: false, from: 1, to: 400 });
  return fingerprint(pg!, name);
}

/** The Job's environment: its literal values as planned, its `secretKeyRef`s from the test's secrets (see the module comment). */
function jobEnv(database: string): Record<string, string> {
  const secrets: Record<string, string> = { DATABASE_URL: pg!.url(database), AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY };
  const overrides: Record<string, string> = { S3_ENDPOINT: s3!.endpoint, BACKUP_TMPDIR: mkdtempSync(join(work, "tmp-")) };
  const env: Record<string, string> = {};
  for (const e of job.env) {
    if (e.valueFrom) {
      expect(e.valueFrom.secretKeyRef.name, e.name).toBe("codebook-api-pre-deploy-credentials");
      env[e.name] = secrets[e.valueFrom.secretKeyRef.key];
    } else env[e.name] = overrides[e.name] ?? e.value!;
  }
  return env;
}

/** Runs the Job's command (its script path mapped to our copy of the ConfigMap) with exactly its environment. */
async function runPreDeployBackup(database: string): Promise<{ key: string; env: Record<string, string> }> {
  const env = jobEnv(database);
  const [shell, script] = job.command;
  const r = await spawnAsync(shell, [script.replace(job.mountPath, scriptsDir)], { ...env, PATH: SYSTEM_PATH, HOME: env.BACKUP_TMPDIR, LC_ALL: "C" });
  expect(r.code, r.stderr).toBe(0);
  const line = r.stdout.trim().split("\n").pop()!;
  return { key: (JSON.parse(line) as { key: string }).key, env };
}

/** psql -v ON_ERROR_STOP=1 -f <file>: the stand-in for the app's migrate command. */
async function migrate(database: string, sql: string): Promise<number | null> {
  const file = join(work, `migration-${randomBytes(4).toString("hex")}.sql`);
  writeFileSync(file, sql);
  const r = await spawnAsync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", `--dbname=${pg!.url(database)}`, "-f", file], { PATH: SYSTEM_PATH });
  return r.code;
}

/** Downloads `key` with the Job's credentials and restores it into a new database `into`. */
async function restoreFrom(env: Record<string, string>, key: string, into: string): Promise<DatabaseFingerprint> {
  const file = join(work, `${into}.dump`);
  await downloadObject(env as unknown as BackupEnv, key, file);
  pg!.psql("postgres", `DROP DATABASE IF EXISTS "${into}" WITH (FORCE);`);
  restoreDump(pg!, file, into);
  return fingerprint(pg!, into);
}

describe("pre-deploy backup, migration, rollback", () => {
  it("runs the planned Job as it is: the ConfigMap's scripts are the repository's, the command runs pg-backup.sh into pre-deploy/", () => {
    expect(job.scripts["pg-backup.sh"]).toBe(readFileSync(PG_BACKUP_SCRIPT_PATH, "utf8"));
    expect(job.scripts["pg-url.sh"]).toBe(readFileSync(PG_URL_SCRIPT_PATH, "utf8"));
    expect(job.command).toEqual(["/bin/sh", `${job.mountPath}/pg-backup.sh`]);
    expect(job.env.find((e) => e.name === "BACKUP_PREFIX")?.value).toBe(PRE_DEPLOY_PREFIX);
  });

  it("the dump taken before the migration restores the schema and data from before it", async () => {
    const before = freshDatabase(DATABASE);
    const { key, env } = await runPreDeployBackup(DATABASE);
    expect(key).toMatch(/^pre-deploy\/codebook-\d{8}T\d{6}Z\.dump$/);
    expect(s3!.keys(bucket)).toContain(key);

    expect(await migrate(DATABASE, MIGRATION)).toBe(0);
    const after = fingerprint(pg!, DATABASE);
    expect(after.schema).not.toBe(before.schema);
    expect(after.schema).toContain("started_at");
    expect(after.schema).not.toMatch(/\bmeta jsonb\b/);

    // Rolling back past the migration: the previous image needs the previous schema and the dropped column's data.
    const restored = await restoreFrom(env, key, "codebook_rollback");
    expect(restored.schema).toBe(before.schema);
    expect(restored.tables).toEqual(before.tables);
    expect(restored.sequences).toEqual(before.sequences);
  }, 600_000);

  it("a migration that fails half-way leaves the database changed, and the pre-deploy dump restores it", async () => {
    const before = freshDatabase("codebook_failing");
    const { key, env } = await runPreDeployBackup("codebook_failing");
    expect(await migrate("codebook_failing", FAILING_MIGRATION)).not.toBe(0);
    const broken = fingerprint(pg!, "codebook_failing");
    // Half-applied: the column is gone and the chunks' text was overwritten; no rollback SQL brings the data back.
    expect(broken.schema).not.toBe(before.schema);
    expect(broken.tables.chunks).not.toBe(before.tables.chunks);

    const restored = await restoreFrom(env, key, "codebook_failing_restored");
    expect(restored.schema).toBe(before.schema);
    expect(restored.tables).toEqual(before.tables);
    expect(restored.sequences).toEqual(before.sequences);
  }, 600_000);
});
