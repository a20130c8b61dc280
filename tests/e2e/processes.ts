/**
 * Servers the end-to-end suite starts: each in its own process group, under coreutils `timeout` so
 * it stops by itself even when the test process is killed, with its output in a log file, and
 * stopped (the whole group, TERM then KILL) by `stop()` or when the test process exits.
 */
import { ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Longest any server may live, in seconds; the suite finishes well within it. */
export const SERVER_LIFETIME_SECONDS = 600;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** The server's stdout and stderr so far. */
  log(): string;
  /** Whether the process has exited. */
  exited(): boolean;
  /** Stops the process group (TERM, then KILL after `graceMs`); resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ServerProcess>();
process.on("exit", () => {
  for (const s of running) killGroup(s.pid, "SIGKILL");
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Starts `command args` as `name`, logging to `logFile`. */
export function startServer(name: string, command: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = {}): ServerProcess {
  const fd = openSync(logFile, "a");
  const child: ChildProcess = spawn("timeout", ["-k", "5", String(SERVER_LIFETIME_SECONDS), command, ...args], {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  let done = child.exitCode !== null;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      done = true;
      resolve();
    });
    child.once("error", () => {
      done = true;
      resolve();
    });
  });
  const server: ServerProcess = {
    name,
    pid: child.pid!,
    log: () => {
      try {
        return readFileSync(logFile, "utf8");
      } catch {
        return "";
      }
    },
    exited: () => done,
    stop: async (graceMs = 5_000) => {
      running.delete(server);
      if (done) return;
      killGroup(child.pid!, "SIGTERM");
      const timer = setTimeout(() => killGroup(child.pid!, "SIGKILL"), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  running.add(server);
  return server;
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

/**
 * Polls `check` every `intervalMs` until it returns a value other than `undefined`, or throws after
 * `timeoutMs` with `describe()` (what was last seen) in the message.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = "";
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const seen = options.describe ? await options.describe() : lastError;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${seen ? `\n${seen}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

/** GETs `url` and returns the status and body (never throws for HTTP errors). */
export async function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

/** Waits until `url` answers 200, or the server exits, or `timeoutMs` passes. */
export async function waitReady(server: ServerProcess, url: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${server.name} at ${url}`,
    async () => {
      if (server.exited()) throw new Error(`${server.name} exited:\n${server.log()}`);
      const r = await httpGet(url, 2_000);
      return r.status === 200 ? true : undefined;
    },
    { timeoutMs, describe: () => `${server.name} log:\n${server.log().slice(-4000)}` },
  );
}
