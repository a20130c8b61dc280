/**
 * Database maintenance against a real PostgreSQL: the DatabaseMaintenance CronJobs' own wrapper
 * (components/data/scripts/db-maintenance.sh) and SQL files (db-vacuum.sql, db-reindex.sql), run as the
 * container runs them (dash and busybox ash), at chosen instants (MAINTENANCE_NOW):
 * - the window guard: over a whole year of the CronJob's firing days, the SQL runs exactly on the
 *   first Saturday of each month (seed 001 §7.1), and refuses outside 02:00-06:00 UTC;
 * - VACUUM (ANALYZE) vacuums and analyzes the tables;
 * - REINDEX INDEX CONCURRENTLY rebuilds the vector indexes only, drops a cancelled rebuild's
 *   invalid leftover, and gives up after `lock_timeout` when a lock is held.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrillShell, ProcessResult, spawnAsync } from "./backup-run";
import { PostgresServer, PostgresTools, ensurePostgresTools, startPostgres } from "./postgres";
import { DATABASE_MAINTENANCE_DEFAULTS, DB_MAINTENANCE_FILES, inMaintenanceWindow, maintenanceSchedule } from "../../components/data/database-maintenance";
import { parseCron } from "../../components/data/job-kernel";

const DATABASE = "dahlia";
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** 2026-12-05 is the first Saturday of December 2026. */
const FIRST_SATURDAY_0200 = Date.UTC(2026, 11, 5, 2, 0, 0) / 1000;

let tools: PostgresTools;
let pg: PostgresServer | undefined;
let work: string;
let probeSql: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "maintenance-drill-"));
  tools = ensurePostgresTools();
  pg = await startPostgres(tools);
  pg.psql("postgres", `CREATE DATABASE ${DATABASE};`);
  pg.psql(
    DATABASE,
    `CREATE TABLE documents (id bigint PRIMARY KEY, body text NOT NULL, embedding real[] NOT NULL);
     INSERT INTO documents SELECT g, md5(g::text), ARRAY[g, g + 1]::real[] FROM generate_series(1, 2000) g;
     CREATE INDEX documents_body_hash ON documents USING hash (body);
     CREATE INDEX documents_body_btree ON documents (body);
     DELETE FROM documents WHERE id % 3 = 0;`,
  );
  // The wrapper's own guard, observed: this file only prints a marker.
  probeSql = join(work, "probe.sql");
  writeFileSync(probeSql, "SELECT 'probe ran';\n");
  chmodSync(work, 0o755);
}, 900_000);

afterAll(() => {
  pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface MaintenanceEnv {
  readonly DATABASE_URL: string;
  readonly MAINTENANCE_SQL: string;
  readonly MAINTENANCE_NOW?: string;
  readonly LOCK_TIMEOUT?: string;
  readonly ACCESS_METHODS?: string;
}

/** Runs db-maintenance.sh with exactly `env` plus PATH, as the container does. */
async function runMaintenance(env: MaintenanceEnv, shell: DrillShell = "dash"): Promise<ProcessResult> {
  let applets: string | undefined;
  if (shell === "busybox") {
    applets = mkdtempSync(join(work, "applets-"));
    for (const a of ["sh", "date", "sed"]) symlinkSync("/bin/busybox", join(applets, a));
  }
  const path = [applets, SYSTEM_PATH].filter(Boolean).join(":");
  try {
    return await spawnAsync(applets ? join(applets, "sh") : "/bin/sh", [DB_MAINTENANCE_FILES.script], { ...env, PATH: path, HOME: work, LC_ALL: "C" });
  } finally {
    if (applets) rmSync(applets, { recursive: true, force: true });
  }
}

const env = (o: Partial<MaintenanceEnv> = {}): MaintenanceEnv => ({
  DATABASE_URL: pg!.url(DATABASE),
  MAINTENANCE_SQL: probeSql,
  MAINTENANCE_NOW: String(FIRST_SATURDAY_0200),
  ...o,
});

const relfilenode = (index: string): string => pg!.psql(DATABASE, `SELECT relfilenode FROM pg_class WHERE relname = '${index}';`).trim();

describe("maintenance window (seed 001 §7.1: first Saturday, 02:00-06:00 UTC)", () => {
  it("over a year of the CronJob's firing days, the SQL runs exactly on each month's first Saturday", async () => {
    const w = DATABASE_MAINTENANCE_DEFAULTS.window;
    const cron = parseCron(maintenanceSchedule(w, "*"));
    if ("problem" in cron) throw new Error(cron.problem);
    const ran: string[] = [];
    const expected: string[] = [];
    for (let day = 0; day < 365; day++) {
      const d = new Date(Date.UTC(2027, 0, 1 + day, 2, 0, 0));
      // Cron ORs day-of-month and day-of-week unless one is `*`: here day-of-week is `*`.
      if (!cron.daysOfMonth.has(d.getUTCDate()) || !cron.months.has(d.getUTCMonth() + 1)) continue;
      const iso = d.toISOString().slice(0, 10);
      if (d.getUTCDay() === 6 && d.getUTCDate() <= 7) expected.push(iso);
      expect(inMaintenanceWindow(w, d)).toBe(d.getUTCDay() === 6 && d.getUTCDate() <= 7);
      const r = await runMaintenance(env({ MAINTENANCE_NOW: String(d.getTime() / 1000) }));
      expect(r.code, r.stderr).toBe(0);
      if (r.stdout.includes("probe ran")) ran.push(iso);
      else expect(r.stdout).toMatch(/is not the first weekday 6 of the month; nothing to do/);
    }
    expect(expected).toHaveLength(12);
    expect(ran).toEqual(expected);
  }, 300_000);

  for (const shell of ["dash", "busybox"] as const) {
    it(`refuses to start outside 02:00-06:00 on the first Saturday, and gives the SQL the rest of the window (${shell})`, async () => {
      const at = (h: number, m = 0, s = 0) => String(FIRST_SATURDAY_0200 + (h - 2) * 3600 + m * 60 + s);
      for (const t of [at(1, 59, 59), at(6), at(23, 30)]) {
        const r = await runMaintenance(env({ MAINTENANCE_NOW: t }), shell);
        expect(r.code).toBe(1);
        expect(r.stderr.trim()).toMatch(/^db-maintenance: error: started at \d\d:\d\d UTC, outside the maintenance window 2:00-6:00 UTC/);
        expect(r.stdout).not.toMatch(/probe ran/);
      }
      const late = await runMaintenance(env({ MAINTENANCE_NOW: at(5, 59, 30) }), shell);
      expect(late.code).toBe(1);
      expect(late.stderr).toMatch(/less than a minute of the maintenance window is left/);
      const timeoutSql = join(work, `timeout-${shell}.sql`);
      writeFileSync(timeoutSql, "SET statement_timeout = :'statement_timeout'; SHOW statement_timeout;\n");
      const r = await runMaintenance(env({ MAINTENANCE_SQL: timeoutSql, MAINTENANCE_NOW: at(5, 30) }), shell);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^30min$/m); // 05:30 → 06:00
    }, 120_000);
  }

  it("never puts the password on a command line and fails clearly on a bad password", async () => {
    const url = pg!.url(DATABASE).replace(/:[^:@/]+@/, ":wrong-password@");
    const r = await runMaintenance(env({ DATABASE_URL: url, MAINTENANCE_SQL: DB_MAINTENANCE_FILES.vacuum }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(r.stderr.trim().split("\n").pop()).toMatch(/^db-maintenance: error: .*db-vacuum\.sql failed/);
    expect(r.stderr + r.stdout).not.toContain("wrong-password");
  }, 60_000);
});

describe("db-vacuum.sql", () => {
  it("VACUUM (ANALYZE) vacuums and analyzes every table", async () => {
    const before = pg!.psql(DATABASE, "SELECT coalesce(last_vacuum::text, 'never') FROM pg_stat_user_tables WHERE relname = 'documents';").trim();
    expect(before).toBe("never");
    const r = await runMaintenance(env({ MAINTENANCE_SQL: DB_MAINTENANCE_FILES.vacuum }), "busybox");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/db-maintenance: vacuum: 1 tables in dahlia/);
    const after = pg!
      .psql(
        DATABASE,
        "SELECT pg_stat_clear_snapshot(); SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'documents';",
      )
      .trim();
    expect(after.split("\n").pop()).toBe("t|0");
  }, 60_000);
});

describe("db-reindex.sql", () => {
  // Debian's archive may lack pgvector here: `hash` stands in for ivfflat/hnsw through
  // ACCESS_METHODS, which is exactly how the SQL picks the indexes to rebuild.
  it("rebuilds only the chosen access method's indexes, concurrently", async () => {
    const hash = relfilenode("documents_body_hash");
    const btree = relfilenode("documents_body_btree");
    const r = await runMaintenance(env({ MAINTENANCE_SQL: DB_MAINTENANCE_FILES.reindex, ACCESS_METHODS: "hash" }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/db-maintenance: reindex: 1 hash indexes in dahlia/);
    expect(relfilenode("documents_body_hash")).not.toBe(hash);
    expect(relfilenode("documents_body_btree")).toBe(btree);
    expect(pg!.psql(DATABASE, "SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'documents'::regclass;").trim()).toBe("t");
  }, 60_000);

  it("drops the invalid leftover of a cancelled rebuild first", async () => {
    pg!.psql(DATABASE, "CREATE TABLE dupes (v int); INSERT INTO dupes VALUES (1), (1);");
    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index, as a cancelled REINDEX does.
    spawnSync("psql", ["-X", "-q", "-d", pg!.url(DATABASE), "-c", "CREATE UNIQUE INDEX CONCURRENTLY documents_body_hash_ccnew ON dupes (v);"]);
    expect(pg!.psql(DATABASE, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'documents_body_hash_ccnew'::regclass;").trim()).toBe("f");
    const r = await runMaintenance(env({ MAINTENANCE_SQL: DB_MAINTENANCE_FILES.reindex, ACCESS_METHODS: "hash" }));
    expect(r.code, r.stderr).toBe(0);
    expect(pg!.psql(DATABASE, "SELECT count(*) FROM pg_class WHERE relname = 'documents_body_hash_ccnew';").trim()).toBe("0");
  }, 60_000);

  it("gives up after lock_timeout while another session holds a lock on the table", async () => {
    const holder = spawn("psql", ["-X", "-q", "-d", pg!.url(DATABASE), "-c", "BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30);"], {
      stdio: "ignore",
      env: { ...process.env, PGAPPNAME: "lock-holder" },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const started = Date.now();
      const r = await runMaintenance(env({ MAINTENANCE_SQL: DB_MAINTENANCE_FILES.reindex, ACCESS_METHODS: "hash", LOCK_TIMEOUT: "1s" }));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/canceling statement due to lock timeout/);
      expect(r.stderr.trim().split("\n").pop()).toMatch(/^db-maintenance: error: .*db-reindex\.sql failed/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      // The backend sleeps on with its lock after its client dies: end it from the server side.
      pg!.psql(DATABASE, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-holder';");
      holder.kill();
    }
    // The cancelled rebuild's leftover is cleaned up by the next run.
    const again = await runMaintenance(env({ MAINTENANCE_SQL: DB_MAINTENANCE_FILES.reindex, ACCESS_METHODS: "hash" }));
    expect(again.code, again.stderr).toBe(0);
    expect(pg!.psql(DATABASE, "SELECT count(*) FROM pg_index WHERE NOT indisvalid;").trim()).toBe("0");
  }, 60_000);
});
