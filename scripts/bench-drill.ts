/**
 * Backup/restore benchmark (seed 001 §4.4: "document time to restore", "measure actual RTO vs.
 * target"): seeds databases of the given sizes on a throwaway PostgreSQL (durable settings, fsync
 * on), runs the backup job's script (components/data/scripts/pg-backup.sh) into the local SigV4 S3 stub,
 * downloads and restores each dump, checks it is identical, and prints the timings with an
 * extrapolation against the RTO (4 h), the job's activeDeadline and its /tmp size limit.
 *
 *   npx ts-node --transpile-only scripts/bench-drill.ts                 # 10, 100 and 500 MB
 *   npx ts-node --transpile-only scripts/bench-drill.ts --sizes 10,50   # sizes in MB
 *
 * Needs what the drill needs (tests/drill/postgres.ts installs Debian's PostgreSQL as root).
 * Everything listens on 127.0.0.1 and is stopped at the end, also on failure.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { BACKUP_JOB_DEFAULTS } from "../components/data/backup-job";
import { Duration } from "../components/values";
import { BackupEnv, downloadObject, restoreDump, runBackupScript } from "../tests/drill/backup-run";
import { PostgresServer, ensurePostgresTools, startPostgres } from "../tests/drill/postgres";
import { S3Stub, startS3Stub } from "../tests/drill/s3-stub";
import { createDrillSchema, fingerprint, insertDrillRows } from "../tests/drill/seed";

/** seed 001 §4.3: RTO 4 hours. */
const RTO = Duration.hours(4);
const MB = 1024 * 1024;
const BATCH = 2_500;
/** Row shape: 256-dim embeddings and ~530 characters of text per chunk (like an embedded codebook). */
const SHAPE = { dims: 256, words: 16, codebooks: 200 } as const;

interface Measurement {
  readonly targetMb: number;
  readonly dbBytes: number;
  readonly rows: number;
  readonly dumpBytes: number;
  readonly backupSeconds: number;
  readonly downloadSeconds: number;
  readonly restoreSeconds: number;
  readonly identical: boolean;
}

function parseSizes(argv: string[]): number[] {
  const i = argv.indexOf("--sizes");
  const sizes = (i >= 0 ? (argv[i + 1] ?? "") : "10,100,500").split(",").map(Number);
  if (sizes.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error("--sizes takes megabytes separated by commas, e.g. --sizes 10,100,500");
  return sizes;
}

/** Bytes of a Kubernetes quantity such as "2Gi" or "500Mi". */
function quantityBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`cannot read the quantity ${q}`);
  return Number(m[1]) * 1024 ** ["", "Ki", "Mi", "Gi", "Ti"].indexOf(m[2] ?? "");
}

/** Least squares t = a + b·x. */
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const b = n > 1 && sxx > 0 ? xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / sxx : my / mx;
  return { a: n > 1 ? my - b * mx : 0, b };
}

async function measure(pg: PostgresServer, s3: S3Stub, env: Omit<BackupEnv, "DATABASE_URL">, targetMb: number, vector: boolean): Promise<Measurement> {
  const database = `bench_${targetMb}mb`.replace(/\W/g, "_");
  pg.psql("postgres", `CREATE DATABASE ${database};`);
  createDrillSchema(pg, database, { vector, ...SHAPE });
  let rows = 0;
  const seeding = process.hrtime.bigint();
  // Data size: tables with their TOAST and indexes (an empty database already takes ~7.5 MB of catalog).
  const size = (): number =>
    Number(
      pg
        .psql(
          database,
          "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r';",
        )
        .trim(),
    );
  while (size() < targetMb * MB) {
    insertDrillRows(pg, database, { vector, ...SHAPE, from: rows + 1, to: rows + BATCH });
    rows += BATCH;
  }
  pg.psql(database, "VACUUM ANALYZE;");
  const dbBytes = size();
  const source = fingerprint(pg, database);
  process.stderr.write(
    `bench: ${targetMb} MB seeded (${(dbBytes / MB).toFixed(1)} MB of data, ${rows} chunks, ${(Number(process.hrtime.bigint() - seeding) / 1e9).toFixed(0)} s); backing up\n`,
  );

  const run = await runBackupScript({ ...env, DATABASE_URL: pg.url(database), PRODUCT: database });
  if (run.code !== 0 || !run.result) throw new Error(`backup of ${database} failed (exit ${run.code}):\n${run.stderr}`);
  const file = join(env.BACKUP_TMPDIR, "..", `${database}.dump`);
  const started = process.hrtime.bigint();
  await downloadObject({ ...env, DATABASE_URL: "", PRODUCT: database }, run.result.key, file);
  const downloadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (statSync(file).size !== run.result.bytes) throw new Error(`downloaded ${file} is not ${run.result.bytes} bytes`);
  const restoreSeconds = restoreDump(pg, file, `${database}_restored`);
  const restored = fingerprint(pg, `${database}_restored`);
  const identical = isDeepStrictEqual({ ...restored, bytes: 0 }, { ...source, bytes: 0 });
  rmSync(file);
  pg.psql("postgres", `DROP DATABASE ${database}; DROP DATABASE ${database}_restored;`);
  return { targetMb, dbBytes, rows, dumpBytes: run.result.bytes, backupSeconds: run.seconds, downloadSeconds, restoreSeconds, identical };
}

function report(ms: Measurement[], pgvector: boolean): void {
  const pad = (s: string, n: number): string => s.padStart(n);
  const fmt = (s: number): string => `${s.toFixed(1)} s`;
  const rtoSeconds = RTO.toSeconds();
  console.log(
    `\nBackup/restore drill benchmark (PostgreSQL, fsync on, loopback S3 stub; embeddings ${pgvector ? "pgvector" : "real[]"}, ${SHAPE.dims} dims)\n`,
  );
  console.log("| data | chunks | dump | dump/db | backup (script) | download | pg_restore | restore total | RTO 4 h / restore | identical |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
  for (const m of ms) {
    const total = m.downloadSeconds + m.restoreSeconds;
    console.log(
      `| ${(m.dbBytes / MB).toFixed(1)} MB | ${m.rows} | ${(m.dumpBytes / MB).toFixed(1)} MB | ${(m.dumpBytes / m.dbBytes).toFixed(2)} | ` +
        `${fmt(m.backupSeconds)} | ${fmt(m.downloadSeconds)} | ${fmt(m.restoreSeconds)} | ${fmt(total)} | ${pad(Math.floor(rtoSeconds / total).toString(), 5)}× below | ${m.identical ? "yes" : "NO"} |`,
    );
  }
  const gb = ms.map((m) => m.dbBytes / 1024 ** 3);
  const backup = fit(
    gb,
    ms.map((m) => m.backupSeconds),
  );
  const restore = fit(
    gb,
    ms.map((m) => m.downloadSeconds + m.restoreSeconds),
  );
  const dumpRatio = ms.reduce((s, m) => s + m.dumpBytes, 0) / ms.reduce((s, m) => s + m.dbBytes, 0);
  const first = ms[0];
  const last = ms[ms.length - 1];
  const growth = (t: (m: Measurement) => number): string =>
    ms.length > 1 ? (Math.log(t(last) / t(first)) / Math.log(last.dbBytes / first.dbBytes)).toFixed(2) : "n/a";
  const deadline = BACKUP_JOB_DEFAULTS.activeDeadline.toSeconds();
  const tmpBytes = quantityBytes(BACKUP_JOB_DEFAULTS.tmpSizeLimit);
  console.log(`
Fit (least squares over the sizes): backup ≈ ${backup.a.toFixed(1)} s + ${backup.b.toFixed(0)} s/GB; restore (download + pg_restore) ≈ ${restore.a.toFixed(1)} s + ${restore.b.toFixed(0)} s/GB.
Growth exponent (time ∝ size^k, smallest → largest): backup k = ${growth((m) => m.backupSeconds)}, restore k = ${growth((m) => m.downloadSeconds + m.restoreSeconds)} (1 = linear).
Extrapolated on this machine:
  - restore of a 10 GB database ≈ ${((restore.a + restore.b * 10) / 60).toFixed(0)} min; the RTO of ${RTO} (seed 001 §4.3) is reached at ≈ ${((rtoSeconds - restore.a) / restore.b).toFixed(0)} GB.
  - the job's activeDeadline (${BACKUP_JOB_DEFAULTS.activeDeadline}) stops backups of databases above ≈ ${((deadline - backup.a) / backup.b).toFixed(0)} GB.
  - its /tmp emptyDir (${BACKUP_JOB_DEFAULTS.tmpSizeLimit}) holds the dump of a database up to ≈ ${(tmpBytes / dumpRatio / 1024 ** 3).toFixed(1)} GB (dump/db ≈ ${dumpRatio.toFixed(2)}).
Caveats: loopback S3 and local disk; a real restore adds the network download (at 50 MB/s, 20 s per GB of dump), schema/app checks and DNS/app cut-over.`);
}

async function main(): Promise<void> {
  const sizes = parseSizes(process.argv.slice(2));
  const tools = ensurePostgresTools();
  const work = mkdtempSync(join(tmpdir(), "bench-drill-"));
  let pg: PostgresServer | undefined;
  let s3: S3Stub | undefined;
  try {
    pg = await startPostgres(tools, { fast: false });
    const credentials = { accessKeyId: "AKIABENCH00000000001", secretAccessKey: randomBytes(30).toString("base64") };
    s3 = await startS3Stub({ root: join(work, "s3"), buckets: ["bench"], region: "us-east-1", ...credentials });
    const tmp = mkdtempSync(join(work, "tmp-"));
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: "bench",
      S3_REGION: "us-east-1",
      BACKUP_PREFIX: "daily/",
      PRODUCT: "bench",
      BACKUP_TMPDIR: tmp,
    };
    const results: Measurement[] = [];
    for (const mb of sizes) results.push(await measure(pg, s3, env, mb, tools.pgvector));
    report(results, tools.pgvector);
    if (results.some((m) => !m.identical)) process.exitCode = 1;
  } finally {
    await s3?.close();
    pg?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench-drill: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
