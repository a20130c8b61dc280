/**
 * A throwaway PostgreSQL server for the backup drill: Debian's packages (installed with apt-get
 * when missing and we are root), `initdb` into a temp directory as the unprivileged `postgres`
 * user, listening on 127.0.0.1 only with password (SCRAM) authentication, stopped and removed by
 * `stop()` and, as a last resort, when the process exits.
 */
import { SpawnSyncOptions, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

/** The Debian package of each tool the drill needs; `busybox` provides the ash of the job's Alpine image. */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  initdb: "postgresql",
  pg_dump: "postgresql-client",
  pg_restore: "postgresql-client",
  psql: "postgresql-client",
  curl: "curl",
  openssl: "openssl",
  busybox: "busybox",
  runuser: "util-linux",
};
export const DRILL_PACKAGES = [...new Set(Object.values(PACKAGE_OF))].filter((p) => p !== "util-linux");
const INSTALL_LOCK = "/tmp/app-platform-drill-install.lock";
const CLIENT_TOOLS = ["pg_dump", "pg_restore", "psql", "curl", "openssl", "busybox"];

export interface PostgresTools {
  /** Directory of initdb/pg_ctl/postgres, e.g. /usr/lib/postgresql/15/bin. */
  readonly binDir: string;
  readonly major: number;
  /** Whether the pgvector extension (`vector`) is installed for this server. */
  readonly pgvector: boolean;
}

const isRoot = (): boolean => process.getuid?.() === 0;

function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 120_000, ...opts });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) {
    const shown = args.join(" ").replace(/(:\/\/[^:@/]+):[^@/]+@/g, "$1:***@"); // no passwords in messages
    throw new Error(`${cmd} ${shown} exited ${r.status}:\n${String(r.stderr ?? "")}${String(r.stdout ?? "")}`);
  }
  return String(r.stdout ?? "");
}

const onPath = (tool: string): boolean => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

function findServer(): Omit<PostgresTools, "pgvector"> | undefined {
  const base = "/usr/lib/postgresql";
  const majors = existsSync(base)
    ? readdirSync(base)
        .map(Number)
        .filter((n) => n > 0 && existsSync(join(base, String(n), "bin", "initdb")))
    : [];
  const major = Math.max(0, ...majors);
  return major ? { binDir: join(base, String(major), "bin"), major } : undefined;
}

const hasPgvector = (major: number): boolean => existsSync(`/usr/share/postgresql/${major}/extension/vector.control`);

/**
 * Finds PostgreSQL's server binaries and the client tools the backup script needs, installing
 * Debian's packages (and `postgresql-<major>-pgvector` where the archive has it) when something is
 * missing and this process is root. Throws with the install command otherwise.
 */
export function ensurePostgresTools(): PostgresTools {
  const tools = isRoot() ? [...CLIENT_TOOLS, "runuser"] : CLIENT_TOOLS;
  const missing = (): string[] => [...(findServer() ? [] : ["initdb"]), ...tools.filter((t) => !onPath(t))];
  const before = missing();
  if (before.length > 0 && isRoot() && onPath("apt-get")) {
    // Only the missing packages: installing present ones would upgrade them under other users.
    const packages = [...new Set(before.map((tool) => PACKAGE_OF[tool]))].join(" ");
    // The package's postinst creates and may start a `main` cluster on :5432; stop what it started.
    const script =
      'online() { pg_lsclusters -h 2>/dev/null | awk \'$4=="online"{print $1" "$2}\'; }; before=$(online); ' +
      "apt-get -o DPkg::Lock::Timeout=600 update -q && DEBIAN_FRONTEND=noninteractive " +
      "apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends " +
      `${packages} && online | while read v c; do echo "$before" | grep -qx "$v $c" || pg_ctlcluster "$v" "$c" stop; done`;
    const r = spawnSync("flock", [INSTALL_LOCK, "sh", "-c", script], { encoding: "utf8", timeout: 900_000 });
    if (r.status !== 0) process.stderr.write(`drill: apt-get install failed:\n${r.stderr}\n`);
  }
  const server = findServer();
  const stillMissing = missing();
  if (!server || stillMissing.length > 0) {
    throw new Error(
      `The backup drill needs a real PostgreSQL server and the backup script's tools; missing: ${stillMissing.join(", ")}. ` +
        `Install them with \`sudo apt-get update && sudo apt-get install -y --no-install-recommends ${DRILL_PACKAGES.join(" ")}\` ` +
        "(Debian/Ubuntu), or run the tests as root so they install it themselves.",
    );
  }
  const vectorPackage = `postgresql-${server.major}-pgvector`;
  if (!hasPgvector(server.major) && isRoot() && spawnSync("apt-cache", ["show", vectorPackage]).status === 0) {
    spawnSync("flock", [INSTALL_LOCK, "apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q", "--no-install-recommends", vectorPackage], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 600_000,
    });
  }
  return { ...server, pgvector: hasPgvector(server.major) };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PostgresServer {
  readonly port: number;
  readonly tools: PostgresTools;
  /** libpq URI of `database` as the superuser, with its password. */
  url(database: string): string;
  /** Runs SQL (stopping at the first error) in `database`; returns psql's unaligned, tuples-only output. */
  psql(database: string, sql: string): string;
  /** Stops the server (fast shutdown) and removes its directory; safe to call twice. */
  stop(): void;
}

export interface StartPostgresOptions {
  /** fsync, full-page writes and synchronous commit off: quicker, for tests only. @default true */
  readonly fast?: boolean;
}

/** initdb + pg_ctl start in a fresh temp directory; the server listens on 127.0.0.1 only. */
export async function startPostgres(tools: PostgresTools, options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const root = mkdtempSync(join(tmpdir(), "pg-drill-"));
  const asDbUser = (cmd: string, args: string[]): [string, string[]] => (isRoot() ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]);
  if (isRoot()) {
    const [uid, gid] = [run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])].map((s) => Number(s.trim()));
    chownSync(root, uid, gid);
  }
  const password = randomBytes(18).toString("base64url");
  const data = join(root, "data");
  const pwfile = join(root, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) run("chown", ["postgres:postgres", pwfile]);
  const bin = (name: string): string => join(tools.binDir, name);
  run(...asDbUser(bin("initdb"), ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--locale=C", "--no-sync"]));
  rmSync(pwfile);

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", stop);
    if (existsSync(join(data, "postmaster.pid"))) {
      spawnSync(...asDbUser(bin("pg_ctl"), ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]), { timeout: 40_000 });
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.on("exit", stop);

  const settings = ["listen_addresses=127.0.0.1", `unix_socket_directories=${root}`, "max_connections=20"];
  if (options.fast ?? true) settings.push("fsync=off", "full_page_writes=off", "synchronous_commit=off");
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const opts = [...settings, `port=${port}`].map((s) => `-c ${s}`).join(" ");
    const r = spawnSync(...asDbUser(bin("pg_ctl"), ["-D", data, "-l", join(root, "server.log"), "-o", opts, "-w", "-t", "60", "start"]), {
      encoding: "utf8",
      timeout: 70_000,
    });
    if (r.status === 0) break;
    const log = existsSync(join(root, "server.log")) ? readFileSync(join(root, "server.log"), "utf8") : "";
    if (attempt >= 3 || !/could not bind|Address already in use/.test(log)) {
      stop();
      throw new Error(`PostgreSQL did not start (pg_ctl exit ${r.status}):\n${r.stderr}\n${log}`);
    }
  }

  const url = (database: string): string => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const psql = (database: string, sql: string): string =>
    run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database)], { input: sql, timeout: 1_800_000, maxBuffer: 1 << 28 });
  return { port, tools, url, psql, stop };
}
