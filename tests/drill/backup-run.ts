/**
 * Runs the backup job's own script (components/data/scripts/pg-backup.sh, the file the CronJob mounts)
 * the way the container does, downloads what it uploaded, restores it, and produces a full disk
 * on demand. Shared by tests/drill/backup-drill.test.ts and scripts/bench-drill.ts.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PG_BACKUP_SCRIPT_PATH } from "../../components/data/backup-job";
import { PostgresServer } from "./postgres";

/** The script under test: the file the backup component mounts. */
export const BACKUP_SCRIPT = PG_BACKUP_SCRIPT_PATH;
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** SHA-256 of an empty body, the signed payload hash of a GET. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/**
 * Which shell runs the script: Debian's /bin/sh (dash), or busybox ash with busybox's
 * date/wc/head/tr/rm first on PATH, as in the job's Alpine image.
 */
export type DrillShell = "dash" | "busybox";

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Spawns without blocking the event loop (the S3 stub answers from this same process). */
export function spawnAsync(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}

/** A fresh directory of busybox applet links, so busybox's tools come first on PATH. */
export function busyboxApplets(applets: readonly string[] = ["sh", "date", "wc", "head", "tr", "rm"]): string {
  const dir = mkdtempSync(join(tmpdir(), "drill-busybox-"));
  for (const applet of applets) symlinkSync("/bin/busybox", join(dir, applet));
  return dir;
}

/** The job's environment (components/data/backup-job.ts passes exactly these variables). */
export interface BackupEnv {
  readonly DATABASE_URL: string;
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  readonly S3_ENDPOINT: string;
  readonly S3_BUCKET: string;
  readonly S3_REGION: string;
  readonly BACKUP_PREFIX: string;
  readonly PRODUCT: string;
  readonly BACKUP_TMPDIR: string;
}

export interface BackupRun extends ProcessResult {
  /** The script's JSON line, when it succeeded. */
  readonly result?: { readonly key: string; readonly bytes: number; readonly seconds: number };
}

export interface RunBackupOptions {
  readonly shell?: DrillShell;
  /** Cap every file the script and its children write at this many bytes (RLIMIT_FSIZE). */
  readonly fileSizeLimit?: number;
  /** Append the argument list of every pg_dump, pg_restore, curl and openssl the script runs to this file. */
  readonly argvLog?: string;
}

/**
 * A directory of wrappers that log their arguments to `log`, one line per call, then exec the
 * real tool (resolved on the system PATH now), so a test sees every command line the script built.
 */
export function argvRecorders(log: string, tools: readonly string[] = ["pg_dump", "pg_restore", "curl", "openssl"]): string {
  const dir = mkdtempSync(join(tmpdir(), "drill-argv-"));
  for (const tool of tools) {
    const real = spawnSync("sh", ["-c", `command -v ${tool}`], { env: { PATH: SYSTEM_PATH }, encoding: "utf8" }).stdout.trim();
    if (!real) throw new Error(`${tool} is not on ${SYSTEM_PATH}`);
    writeFileSync(join(dir, tool), `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >>'${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  return dir;
}

/** Runs pg-backup.sh with exactly `env` (plus PATH and HOME), as the CronJob's container does. */
export async function runBackupScript(env: BackupEnv, o: RunBackupOptions = {}): Promise<BackupRun> {
  const applets = o.shell === "busybox" ? busyboxApplets() : undefined;
  const recorders = o.argvLog ? argvRecorders(o.argvLog) : undefined;
  const path = [recorders, applets, SYSTEM_PATH].filter(Boolean).join(":");
  const fullEnv = { ...env, PATH: path, HOME: env.BACKUP_TMPDIR, LC_ALL: "C" };
  let cmd = applets ? "/bin/busybox" : "/bin/sh";
  let args = applets ? ["sh", BACKUP_SCRIPT] : [BACKUP_SCRIPT];
  if (o.fileSizeLimit !== undefined) {
    // Ignore SIGXFSZ so an oversized write fails with EFBIG, like a full disk fails with ENOSPC.
    args = ["-c", `trap '' XFSZ; exec prlimit --fsize=${o.fileSizeLimit} -- "$@"`, "sh", cmd, ...args];
    cmd = "/bin/sh";
  }
  try {
    const r = await spawnAsync(cmd, args, fullEnv);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    return r.code === 0 && line.startsWith("{") ? { ...r, result: JSON.parse(line) } : r;
  } finally {
    for (const dir of [applets, recorders]) if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** GETs `<endpoint>/<bucket>/<key>` with a SigV4-signed curl request into `file`. */
export async function downloadObject(env: BackupEnv, key: string, file: string): Promise<void> {
  const r = await spawnAsync(
    "curl",
    [
      "--silent",
      "--show-error",
      "--fail",
      "--aws-sigv4",
      `aws:amz:${env.S3_REGION}:s3`,
      "--user",
      `${env.AWS_ACCESS_KEY_ID}:${env.AWS_SECRET_ACCESS_KEY}`,
      "--header",
      `x-amz-content-sha256: ${EMPTY_SHA256}`,
      "--output",
      file,
      `${env.S3_ENDPOINT}/${env.S3_BUCKET}/${key}`,
    ],
    { PATH: SYSTEM_PATH },
  );
  if (r.code !== 0) throw new Error(`download of ${key} failed (curl exit ${r.code}): ${r.stderr}`);
}

/** Creates `database` and restores the custom-format dump `file` into it; returns the seconds taken. */
export function restoreDump(server: PostgresServer, file: string, database: string): number {
  const started = process.hrtime.bigint();
  server.psql("postgres", `CREATE DATABASE "${database}";`);
  const r = spawnSync("pg_restore", ["--exit-on-error", "--no-owner", `--dbname=${server.url(database)}`, file], {
    encoding: "utf8",
    timeout: 3_600_000,
  });
  if (r.status !== 0) throw new Error(`pg_restore into ${database} failed (exit ${r.status}): ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** A directory that fills up after `bytes`: a tmpfs of that size, or a file-size limit. */
export interface SmallDisk {
  readonly dir: string;
  /** How it is limited: a real tmpfs mount (ENOSPC), or RLIMIT_FSIZE when mounting is not allowed (EFBIG). */
  readonly mechanism: "tmpfs" | "rlimit";
  /** Pass to `runBackupScript` (set only for "rlimit"). */
  readonly fileSizeLimit?: number;
  remove(): void;
}

/** Mounts a tmpfs of `bytes` (needs root and CAP_SYS_ADMIN); falls back to RLIMIT_FSIZE. */
export function smallDisk(bytes: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), "drill-small-disk-"));
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0700`, "drill-small-disk", dir], { encoding: "utf8" });
  const mounted = mount.status === 0;
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    if (mounted) spawnSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", remove);
  return mounted ? { dir, mechanism: "tmpfs", remove } : { dir, mechanism: "rlimit", fileSizeLimit: bytes, remove };
}
