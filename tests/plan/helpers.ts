/**
 * Helpers for the plan tests: run the CLI as `npm run plan` runs it (a child process, so exit
 * codes and stderr are the real ones), and build temporary projects beside the repository's
 * node_modules (the app-platform program with a variant, a git repository of the plan fixture).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const CLI = path.join(ROOT, "tools/plan/cli.ts");
export const PLAN_FIXTURE = path.join(ROOT, "tests/fixtures/plan-program");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** ts-node's command, which `npm run plan` runs (it finds tsconfig.json from the script's directory, whatever the cwd). */
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");

/**
 * `npm run plan -- <args>` (`ts-node --swc tools/plan/cli.ts`), as a child process. No `TS_NODE_*`
 * variable: the processes the CLI starts inherit its environment, and `TS_NODE_PROJECT` would make
 * the policy pack's ts-node read another tsconfig than the engine's run does.
 */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TS_NODE_BIN, "--swc", CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A fresh temporary directory, removed by `cleanup()`. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

const FIXTURE_TSCONFIG = fs.readFileSync(path.join(PLAN_FIXTURE, "tsconfig.json"), "utf8");

/** The runtime tsconfig Pulumi.yaml names (`runtime.options.tsconfig`), at the repository root. */
export const RUNTIME_TSCONFIG = "tsconfig.pulumi.json";

/**
 * The repository's Pulumi.yaml for a program at the root of another directory: `main: index.ts`,
 * and the runtime tsconfig beside it (copy `RUNTIME_TSCONFIG` there), so the runner loads it as it
 * loads the real program.
 */
export function relocatedProjectYaml(): string {
  const yaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
  if (!/^ {4}tsconfig: \.\.\/tsconfig\.pulumi\.json$/m.test(yaml))
    throw new Error("Pulumi.yaml no longer names ../tsconfig.pulumi.json; update relocatedProjectYaml");
  return yaml.replace(/^main: .*$/m, "main: index.ts").replace(/^( {4}tsconfig: ).*$/m, `$1${RUNTIME_TSCONFIG}`);
}

/**
 * A git repository whose committed program is the app-platform program (`main` re-exports
 * infra/index.ts, beside copies of Pulumi.yaml and the stack files: same URNs) and whose working
 * tree has the changes of tests/fixtures/plan-variant — a pull request, in miniature.
 */
export function makeVariantRepo(): { dir: string; git: (...args: string[]) => string } {
  const dir = tempDir("plan-variant");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), relocatedProjectYaml());
  fs.copyFileSync(path.join(ROOT, RUNTIME_TSCONFIG), path.join(dir, RUNTIME_TSCONFIG));
  for (const stack of ["staging", "prod"]) fs.copyFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
  // The project's reviewed exceptions travel with it (the plan reads `<project>/policies/exceptions.yaml`).
  fs.mkdirSync(path.join(dir, "policies"));
  fs.copyFileSync(path.join(ROOT, "policies", "exceptions.yaml"), path.join(dir, "policies", "exceptions.yaml"));
  const reexport = (file: string) => `export * from ${JSON.stringify(path.join(ROOT, file))};\n`;
  fs.writeFileSync(path.join(dir, "index.ts"), reexport("infra/index"));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), FIXTURE_TSCONFIG);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app-platform-variant", private: true }));
  fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\nplan/\n");
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "add", ".");
  git(dir, "commit", "--quiet", "-m", "app-platform as it is");
  fs.writeFileSync(path.join(dir, "index.ts"), reexport("tests/fixtures/plan-variant"));
  return { dir, git: (...args: string[]) => git(dir, ...args) };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=plan-test", "-c", "user.email=plan-test@example.com", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** A git repository holding a copy of the plan fixture, committed once; returns its path. */
export function makeFixtureRepo(): { dir: string; git: (...args: string[]) => string } {
  const dir = tempDir("plan-fixture-repo");
  for (const f of fs.readdirSync(PLAN_FIXTURE)) fs.copyFileSync(path.join(PLAN_FIXTURE, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\nplan/\n");
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "add", ".");
  git(dir, "commit", "--quiet", "-m", "fixture");
  return { dir, git: (...args: string[]) => git(dir, ...args) };
}

/** The violations and findings of a plan document, short. */
export function readJson<T = any>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}
