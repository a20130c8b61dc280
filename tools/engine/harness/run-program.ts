/**
 * Runs a Pulumi Node.js program exactly as `pulumi preview` would — through the SDK's own runner,
 * `node <program dir>/node_modules/@pulumi/pulumi/cmd/run` with the language host's flags and
 * environment — against the recording engine in monitor.ts, and returns what it registered.
 *
 * What the language host (pulumi-language-nodejs) does and this mirrors:
 * - `main` from Pulumi.yaml: a directory becomes the working directory with entry point `.`; a
 *   file `dir/file.ts` runs `file.ts` from `dir` (engine `getPwdMain`). With no `main`, the entry
 *   point is `.`, which the runner resolves through package.json `main`/`exports`.
 * - flags: `--monitor --engine --organization --project --root-directory --stack --pwd
 *   [--dry-run] --parallel <entry point>`;
 * - env: `PULUMI_CONFIG` (JSON, keys `<ns>:config:<name>` as the host writes them),
 *   `PULUMI_CONFIG_SECRET_KEYS` (JSON array of `<ns>:<name>`), `PULUMI_NODEJS_TYPESCRIPT=true`
 *   unless `runtime.options.typescript: false`, `PULUMI_NODEJS_TSCONFIG_PATH` from
 *   `runtime.options.tsconfig` (relative to the program's working directory), `nodeargs` before
 *   the runner path (`languageHostEnv`). Everything else is inherited from this process's
 *   environment, as the host passes its own on: there is no override of how the runner loads
 *   TypeScript, so the program loads here exactly as `pulumi preview` and `pulumi up` load it
 *   (`PULUMI_NODEJS_TRANSPILE_ONLY` / `TS_NODE_TYPE_CHECK` work only as the user's own switches).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { startRecorder, type InvokeCall, type InvokeTable, type LogEntry, type RegisteredResource } from "./monitor";
import { readProject, readStackConfig, fullConfigKey, type PulumiProject, type SecretValues } from "./project";
import type { WireObject } from "./properties";

export interface RunProgramOptions {
  /** Project root: the directory holding Pulumi.yaml (read for name, `main` and runtime options when present). */
  readonly programDir: string;
  /** Program entry relative to `programDir`; @default Pulumi.yaml `main`, else `.` */
  readonly main?: string;
  /** Project name; @default Pulumi.yaml `name` (required when there is no Pulumi.yaml). */
  readonly project?: string;
  readonly stack: string;
  /** @default "organization" (what the CLI passes for a self-managed backend) */
  readonly organization?: string;
  /** Config by full key (`app-platform:domain`, `aws:region`); keys without `:` get the project namespace. Objects as JSON strings. */
  readonly config?: Readonly<Record<string, string>>;
  /** Which config keys are secrets (full keys). */
  readonly secretKeys?: readonly string[];
  /** Invoke answers keyed by token. */
  readonly invokes?: InvokeTable;
  /** Preview (`--dry-run`); @default true */
  readonly dryRun?: boolean;
  /** Kill the program after this long; @default 60_000 */
  readonly timeoutMs?: number;
  /** `--parallel`; @default 16 */
  readonly parallel?: number;
  /** Extra environment for the program (`undefined` removes a variable). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Record debug-severity engine logs too; @default false */
  readonly includeDebugLogs?: boolean;
  /** Called with each registration as the engine receives it (see `RecorderOptions.onResource`). */
  readonly onResource?: (res: RegisteredResource) => void;
}

export interface RunResult {
  /** True when the program exited 0, in time, and logged no error. */
  readonly ok: boolean;
  /** The runner's exit code; -1 when it was killed (timeout) or could not start. */
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly project: string;
  readonly stack: string;
  /** Every registration in order, the root `pulumi:pulumi:Stack` first. */
  readonly resources: readonly RegisteredResource[];
  /** Outputs the program exported (registered on the root stack), in wire form. */
  readonly stackOutputs: WireObject;
  readonly logs: readonly LogEntry[];
  readonly invokes: readonly InvokeCall[];
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** Where the recording engine listened (closed by the time this result exists). */
  readonly address: string;
}

/** Where the program runs from and what the runner is told to load (engine `getPwdMain`). */
export function resolveProgram(rootDir: string, main: string | undefined): { pwd: string; entryPoint: string } {
  const root = path.resolve(rootDir);
  if (!main) return { pwd: root, entryPoint: "." };
  if (path.isAbsolute(main)) throw new Error(`project 'main' must be a relative path: ${main}`);
  const target = path.resolve(root, main);
  if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`project 'main' must be a subfolder: ${main}`);
  if (!fs.existsSync(target)) throw new Error(`project 'main' could not be read: ${target} does not exist`);
  return fs.statSync(target).isDirectory() ? { pwd: target, entryPoint: "." } : { pwd: path.dirname(target), entryPoint: path.basename(target) };
}

/**
 * The variables pulumi-language-nodejs adds to its own environment for a project's
 * `runtime.options` (`execNodejs` in sdk/nodejs/cmd/pulumi-language-nodejs): `PULUMI_NODEJS_TYPESCRIPT`
 * unless `typescript: false`, and `PULUMI_NODEJS_TSCONFIG_PATH` as written in Pulumi.yaml (the
 * runner resolves it from the program's directory). Nothing about type checking: the runner
 * decides that from the tsconfig (`noCheck`, or ts-node's `transpileOnly` / `swc`) unless the
 * user sets `PULUMI_NODEJS_TRANSPILE_ONLY` themselves.
 */
export function languageHostEnv(runtimeOptions: PulumiProject["runtimeOptions"]): Record<string, string> {
  const env: Record<string, string> = {};
  if (runtimeOptions.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (runtimeOptions.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = runtimeOptions.tsconfig;
  return env;
}

/** Runs the program once and records everything it registered; never throws for a program failure. */
export async function runProgram(options: RunProgramOptions): Promise<RunResult> {
  const started = Date.now();
  const rootDir = path.resolve(options.programDir);
  const hasProjectFile = ["Pulumi.yaml", "Pulumi.yml"].some((f) => fs.existsSync(path.join(rootDir, f)));
  const projectFile: PulumiProject | undefined = hasProjectFile ? readProject(rootDir) : undefined;
  const project = options.project ?? projectFile?.name;
  if (!project) throw new Error(`runProgram: no Pulumi.yaml in ${rootDir}; pass \`project\``);
  const { pwd, entryPoint } = resolveProgram(rootDir, options.main ?? projectFile?.main);
  const runtimeOptions = projectFile?.runtimeOptions ?? { typescript: true };
  // The host resolves the runner from the program's own node_modules.
  const runPath = createRequire(path.join(pwd, "index.js")).resolve("@pulumi/pulumi/cmd/run");

  // The language host writes keys as `<ns>:config:<name>`; the SDK strips `:config:` again.
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const full = fullConfigKey(project, key);
    const i = full.indexOf(":");
    config[`${full.slice(0, i)}:config:${full.slice(i + 1)}`] = value;
  }
  const secretKeys = (options.secretKeys ?? []).map((k) => fullConfigKey(project, k));

  const env: Record<string, string | undefined> = { ...process.env };
  env.PULUMI_CONFIG = JSON.stringify(config);
  env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
  Object.assign(env, languageHostEnv(runtimeOptions));
  Object.assign(env, options.env ?? {});
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];

  const dryRun = options.dryRun ?? true;
  const recorder = await startRecorder({
    project,
    stack: options.stack,
    dryRun,
    invokes: options.invokes,
    includeDebugLogs: options.includeDebugLogs,
    onResource: options.onResource,
  });
  const args = [
    ...(runtimeOptions.nodeargs ? runtimeOptions.nodeargs.split(/\s+/).filter(Boolean) : []),
    runPath,
    "--monitor",
    recorder.address,
    "--engine",
    recorder.address,
    "--organization",
    options.organization ?? "organization",
    "--project",
    project,
    "--root-directory",
    rootDir,
    "--stack",
    options.stack,
    "--pwd",
    pwd,
    ...(dryRun ? ["--dry-run"] : []),
    "--parallel",
    String(options.parallel ?? 16),
    entryPoint,
  ];

  const timeoutMs = options.timeoutMs ?? 60_000;
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  let exitCode = -1;
  try {
    exitCode = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: pwd, env, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        timedOut = true;
        stderr += `\n[harness] program did not finish within ${timeoutMs} ms; killed\n`;
        child.kill("SIGKILL");
      }, timeoutMs);
      child.on("error", (err) => {
        // Spawning failed; 'close' may never follow.
        clearTimeout(timer);
        stderr += `\n[harness] could not start the runner: ${err.message}\n`;
        resolve(-1);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
  } finally {
    await recorder.close();
  }

  const logs = recorder.logs;
  return {
    ok: exitCode === 0 && !timedOut && !logs.some((l) => l.severity === "error"),
    exitCode,
    timedOut,
    project,
    stack: options.stack,
    resources: recorder.resources,
    stackOutputs: recorder.stackOutputs(),
    logs,
    invokes: recorder.invokes,
    stdout,
    stderr,
    durationMs: Date.now() - started,
    address: recorder.address,
  };
}

/** Where a stack's config comes from besides its stack file. */
export interface StackConfigSources {
  /** Plaintext for the stack file's `secure:` values. */
  readonly secretValues?: SecretValues;
  /** Config overriding (or adding to) the stack file; keys without `:` get the project namespace. */
  readonly configOverrides?: Readonly<Record<string, string>>;
  /** Secret config overriding (or adding to) the stack file, as if set with `pulumi config set --secret`. */
  readonly secretOverrides?: Readonly<Record<string, string>>;
}

export interface RunStackOptions extends Omit<RunProgramOptions, "programDir" | "config" | "secretKeys" | "project" | "main">, StackConfigSources {
  /** Directory holding Pulumi.yaml and the stack files. */
  readonly projectDir: string;
}

/** The config and secret keys the CLI would hand the program for `stack` (stack file, then overrides). */
export function stackRunConfig(
  project: PulumiProject,
  stack: string,
  sources: StackConfigSources = {},
): { config: Record<string, string>; secretKeys: string[] } {
  const fromFile = readStackConfig(project, stack, sources.secretValues);
  const full = (o: Readonly<Record<string, string>> = {}) => Object.fromEntries(Object.entries(o).map(([k, v]) => [fullConfigKey(project.name, k), v]));
  const overrides = full(sources.configOverrides);
  const secrets = full(sources.secretOverrides);
  // A plain override makes a key plain, unless Pulumi.yaml declares it secret.
  const secretKeys = new Set(fromFile.secretKeys.filter((k) => !(k in overrides) || project.config[k]?.secret));
  for (const k of Object.keys(secrets)) secretKeys.add(k);
  return { config: { ...fromFile.values, ...overrides, ...secrets }, secretKeys: [...secretKeys].sort() };
}

/** Reads Pulumi.yaml and Pulumi.<stack>.yaml like the CLI and runs the program as a preview of that stack. */
export async function runStack(options: RunStackOptions): Promise<RunResult> {
  const { projectDir, secretValues, configOverrides, secretOverrides, ...rest } = options;
  const project = readProject(projectDir);
  const { config, secretKeys } = stackRunConfig(project, options.stack, { secretValues, configOverrides, secretOverrides });
  return runProgram({ ...rest, programDir: project.dir, config, secretKeys });
}

/** Every recorded resource of a type. */
export function resourcesOfType(result: Pick<RunResult, "resources">, type: string): RegisteredResource[] {
  return result.resources.filter((r) => r.type === type);
}

/** The one recorded resource of a type (and name); throws listing what was recorded otherwise. */
export function oneResource(result: Pick<RunResult, "resources">, type: string, name?: string): RegisteredResource {
  const hits = resourcesOfType(result, type).filter((r) => name === undefined || r.name === name);
  if (hits.length !== 1) {
    const seen = result.resources.map((r) => `${r.type} ${r.name}`).join("\n  ");
    throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${hits.length}; recorded:\n  ${seen}`);
  }
  return hits[0];
}
