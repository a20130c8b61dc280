/**
 * Finds `promtool` (Prometheus' rule checker) for the tests, installing Debian's `prometheus`
 * package (which ships /usr/bin/promtool) once when it is missing and the tests run as root.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const INSTALL_HINT =
  "promtool is not installed. Install it with `sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus` " +
  "(Debian/Ubuntu; provides /usr/bin/promtool), or put a promtool binary from a Prometheus release on PATH.";

/** Lock file so parallel test processes never run apt-get at the same time. */
const LOCK_FILE = "/tmp/app-platform-promtool-install.lock";

let cached: string | undefined;

/** The first executable `promtool` on PATH (plus /usr/bin), or undefined. */
export function promtoolOnPath(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin"].filter((d) => d.length > 0);
  for (const dir of dirs) {
    const candidate = join(dir, "promtool");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/**
 * Returns the path of `promtool`. When it is missing and this process is root, runs
 * `apt-get update && apt-get install -y --no-install-recommends prometheus` once (under a lock);
 * otherwise throws an error saying how to install it.
 */
export function findPromtool(): string {
  if (cached) return cached;
  let found = promtoolOnPath();
  if (!found) {
    if (!isRoot()) throw new Error(INSTALL_HINT);
    const script =
      "command -v promtool >/dev/null 2>&1 || { apt-get update -q && " +
      "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus; }";
    const withLock = spawnSync("flock", [LOCK_FILE, "sh", "-c", script], { encoding: "utf8", timeout: 600_000 });
    const result =
      withLock.error && (withLock.error as NodeJS.ErrnoException).code === "ENOENT"
        ? spawnSync("sh", ["-c", script], { encoding: "utf8", timeout: 600_000 })
        : withLock;
    found = promtoolOnPath();
    if (!found) {
      throw new Error(`${INSTALL_HINT}\nAutomatic install failed (exit ${result.status}):\n${result.stderr ?? ""}`);
    }
  }
  cached = found;
  return found;
}

/** Result of one promtool run. */
export interface PromtoolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for assertion messages. */
  readonly output: string;
}

/** Runs `promtool <args>` in `cwd` and returns its exit code and output. */
export function runPromtool(args: string[], cwd?: string): PromtoolResult {
  const r = spawnSync(findPromtool(), args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  const stdout = r.stdout ?? "";
  const stderr = r.stderr ?? "";
  return { code: r.status ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` };
}
