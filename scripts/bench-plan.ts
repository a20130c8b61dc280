/**
 * Benchmark of the offline plan (`npm run plan`). Not a test: it prints figures for the README.
 *
 *   npm run bench:plan -- [--runs 3] [--sizes 5,50,200] [--skip-synthetic]
 *
 * Every program here is loaded as the Node.js language host loads it for this Pulumi.yaml
 * (`runtime.options.tsconfig` → tsconfig.pulumi.json: swc, no type check); temporary programs get
 * a copy of that tsconfig. It measures, each as the median of `--runs` runs (peak memory: the
 * maximum), wall time and CPU time (user + system of the processes started, from /proc: on a
 * shared machine the CPU figure is the steadier one):
 * 1. the import floor — a program that only imports the SDKs the project uses, run through the
 *    same Pulumi runner and recording engine (and, for reference, a bare `node` that imports them);
 * 2. prod as `pulumi up` loads it, through the same runner: before the runtime tsconfig (the
 *    language host's environment without `PULUMI_NODEJS_TSCONFIG_PATH`: ts-node type-checks) and
 *    after it (the environment for this Pulumi.yaml), and after it with the SDK's per-promise
 *    stacks source-mapped as before infra/promise-stacks.ts (`PULUMI_DEBUG_PROMISE_LEAKS=1`);
 * 3. the plan of the committed stacks, staging and prod, started as `npm run plan` starts it
 *    (`ts-node --swc tools/plan/cli.ts`, without npm's own start): wall and CPU time, the peak
 *    memory of its whole process tree (CLI, program, policy pack), sampled from /proc, and from the
 *    CLI's `--timings` the program, the policy step after it, and what lies outside the plan of
 *    the stack (the CLI's start-up and report); prod also with `--no-policy` (the program without
 *    the pack's start-up beside it on the same cores) and with `--typecheck-pack` (the pack started
 *    type-checked, as the engine starts it, instead of transpiled), and CPU time / cores, the wall
 *    time below which no plan can go on this machine while it does the same work;
 * 4. what the SDK and the pack cost however lean the program: the same floor program registering as
 *    many bare ConfigMaps as prod has resources (the SDK's per-registration work: serialising,
 *    gRPC, and the stack trace it captures for every promise, mapped through source maps by the
 *    runner's source-map-support), and the policy pack's start-up as the engine loads it
 *    (ts-node, type-checked: `run-policy-pack` hard-codes `typeCheck: true`), also with `noCheck`
 *    in a copy of the pack's tsconfig, and transpiled with swc as the plan starts it;
 * 5. the plan of synthetic catalogs of 5, 50 and 200 products — the five products cloned under new
 *    ids in a temporary program outside the repository (stacks/ is untouched) — and the cost per
 *    resource, which should stay flat.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "tools/plan/cli.ts");
/** ts-node's command, which `npm run plan` runs. */
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");
/** The runtime tsconfig Pulumi.yaml names; temporary programs get a copy beside their Pulumi.yaml. */
const RUNTIME_TSCONFIG = "tsconfig.pulumi.json";
/** The language host's environment without what the runtime tsconfig sets: how the program loaded before tsconfig.pulumi.json. */
const BEFORE_RUNTIME_TSCONFIG = { PULUMI_NODEJS_TSCONFIG_PATH: undefined };
/** The SDK's switch under which infra/promise-stacks.ts leaves its per-promise stacks mapped. */
const PROMISE_STACKS_MAPPED = { PULUMI_DEBUG_PROMISE_LEAKS: "1" };

interface Args {
  runs: number;
  sizes: number[];
  synthetic: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    runs: Number(get("runs") ?? 3),
    sizes: (get("sizes") ?? "5,50,200").split(",").map(Number),
    synthetic: !argv.includes("--skip-synthetic"),
  };
}

/** RSS in bytes of a process and all its descendants, from /proc (0 where /proc is missing). */
function treeRss(root: number): number {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return 0;
  }
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(e), Number(fields[1]));
      rss.set(Number(e), Number(fields[21]) * 4096);
    } catch {
      // exited while scanning
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

/** CPU time (user + system) of this process's finished children, in ms, from /proc (0 where /proc is missing). */
function childrenCpuMs(): number {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100; // cutime + cstime, in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

interface Sample {
  readonly wallMs: number;
  /** CPU time of the whole process tree, once it has exited. */
  readonly cpuMs: number;
  readonly peakBytes: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command, sampling the RSS of its process tree every 20 ms. */
function measure(cmd: string, args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const cpuBefore = childrenCpuMs();
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    const timer = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRss(child.pid));
    }, 20);
    child.on("close", (code) => {
      clearInterval(timer);
      resolve({
        wallMs: Number(process.hrtime.bigint() - started) / 1e6,
        cpuMs: childrenCpuMs() - cpuBefore,
        peakBytes: peak,
        exitCode: code ?? -1,
        stdout,
        stderr,
      });
    });
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (b: number) => `${Math.round(b / 1024 / 1024)} MiB`;

/** Pulumi.yaml of a temporary program: loaded through its copy of the runtime tsconfig. */
function benchPulumiYaml(name: string): string {
  return `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n    tsconfig: ${RUNTIME_TSCONFIG}\nmain: index.ts\n`;
}

/** A temporary Pulumi project beside the repository's node_modules, with a copy of the runtime tsconfig. */
function tempProject(name: string, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node",
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["index.ts"],
      },
      null,
      2,
    ),
  );
  fs.copyFileSync(path.join(ROOT, RUNTIME_TSCONFIG), path.join(dir, RUNTIME_TSCONFIG));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true }));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

const SDK_IMPORTS = `
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as vercel from "@pulumiverse/vercel";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";
// Touch what the program touches, so lazily loaded modules load too.
void [pulumi.Config, k8s.Provider, k8s.core.v1.Namespace, k8s.apps.v1.Deployment, k8s.batch.v1.CronJob, k8s.networking.v1.NetworkPolicy,
  k8s.apiextensions.CustomResource, aws.Provider, aws.s3.Bucket, aws.kms.Key, aws.iam.User, cloudflare.Provider, cloudflare.DnsRecord,
  cloudflare.R2Bucket, vercel.Provider, vercel.Project, random.RandomPassword, time.Rotating];
`;

/** The synthetic program: the catalog's five products cloned to `count` products. */
function syntheticProgram(count: number): string {
  const rel = (p: string) => JSON.stringify(path.join(ROOT, p));
  return `
import { ApplicationStack } from ${rel("components/application-stack")};
import { CATALOG } from ${rel("stacks")};
import { buildProduct } from ${rel("components/product-spec")};
import { PRODUCT_IDS } from ${rel("infra/config-keys")};
import { loadConfig, platformFor } from ${rel("infra/program")};
import { readProductSecrets } from ${rel("infra/secrets")};

const COUNT = ${count};
const cfg = loadConfig();
// The real program's set-up (providers, zone lookup, shared settings); only the catalog is synthetic.
const { config, env, providers, platform } = platformFor(cfg);
for (let i = 0; i < COUNT; i++) {
  const base = PRODUCT_IDS[i % PRODUCT_IDS.length];
  const id = i < PRODUCT_IDS.length ? base : \`\${base}-\${i}\`;
  const suffix = (s: string) => (i < PRODUCT_IDS.length ? s : \`\${s}-\${i}\`);
  const spec = buildProduct(CATALOG[base], { ...env, host: (label) => env.host(suffix(label)) });
  new ApplicationStack(
    id,
    {
      environment: cfg.environment,
      owner: cfg.owner,
      spec: { ...spec, id: id as typeof spec.id, webApps: spec.webApps.map((a) => ({ ...a, projectName: suffix(a.projectName) })) },
      providedSecrets: readProductSecrets(base, config),
      platform,
    },
    { providers },
  );
}
`;
}

interface Timed {
  readonly ms: number;
  /** CPU time of what the snippet timed (the processes it started and waited for). */
  readonly cpuMs: number;
}

/**
 * Defines `cpuMs()` (CPU time of the snippet's finished children, from /proc) and `report(ms, cpuMs)`
 * for a snippet: it prints `ms <n> cpu <n>`.
 */
const SNIPPET_PRELUDE = `const cpuMs = () => { try { const s = require("fs").readFileSync("/proc/self/stat", "utf8"); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); return (Number(f[13]) + Number(f[14])) * 10; } catch { return 0; } };
const report = (ms, cpu) => console.log("ms", Math.round(ms), "cpu", Math.round(cpu));
`;

/** Runs `snippet` in a fresh `node` (ts-node) and returns the `ms <n> cpu <n>` it prints; throws with its stderr if it fails. */
async function timedSnippet(what: string, snippet: string, env: NodeJS.ProcessEnv): Promise<Timed> {
  const s = await measure(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", SNIPPET_PRELUDE + snippet], ROOT, env);
  const m = /ms (\d+) cpu (\d+)/.exec(s.stdout);
  if (s.exitCode !== 0 || !m) throw new Error(`${what} failed:\n${s.stderr}`);
  return { ms: Number(m[1]), cpuMs: Number(m[2]) };
}

/**
 * A snippet that runs the project in `dir` through the harness (Pulumi's runner, the language
 * host's environment for its Pulumi.yaml) and reports the program's duration and CPU time; fails
 * unless it registered `resources`, when given.
 */
function runnerSnippet(dir: string, resources?: number): string {
  const count = resources === undefined ? "" : ` || r.resources.length !== ${resources}`;
  return `const c0 = cpuMs(); require(${JSON.stringify(path.join(ROOT, "tools/engine/harness"))}).runStack({ projectDir: ${JSON.stringify(dir)}, stack: "bench", timeoutMs: 900_000 }).then((r) => { if (!r.ok${count}) { console.error(r.stderr); process.exit(1); } report(r.durationMs, cpuMs() - c0); })`;
}

/**
 * A snippet that runs a committed stack as `pulumi up` loads it (tools/engine/offline-stack: placeholders
 * for secrets, the language host's environment for Pulumi.yaml, plus `env`).
 */
function stackSnippet(stack: string, env: Record<string, string | undefined> = {}): string {
  // JSON has no `undefined`: a removed variable travels as null and becomes `undefined` again.
  return `const c0 = cpuMs(); require(${JSON.stringify(path.join(ROOT, "tools/engine/offline-stack"))}).runOfflineStack({ projectDir: ${JSON.stringify(ROOT)}, stack: ${JSON.stringify(stack)}, env: Object.fromEntries(Object.entries(${JSON.stringify(env, (_k, v) => (v === undefined ? null : v))}).map(([k, v]) => [k, v === null ? undefined : v])), timeoutMs: 900_000 }).then(({ result: r }) => { if (!r.ok) { console.error(r.stderr); process.exit(1); } report(r.durationMs, cpuMs() - c0); })`;
}

/** A snippet that starts the policy pack in `packDir` as the engine does and reports its start-up (CPU: until it stopped). */
function packSnippet(packDir: string, typeCheck = true): string {
  return `const c0 = cpuMs(); const t = Date.now(); require(${JSON.stringify(path.join(ROOT, "tools/engine/pack/engine"))}).PolicyPackProcess.start({ stack: "prod", packDir: ${JSON.stringify(packDir)}, startTimeoutMs: 900_000, typeCheck: ${typeCheck} }).then(async (p) => { const ms = Date.now() - t; await p.stop(); await new Promise((r) => setTimeout(r, 200)); report(ms, cpuMs() - c0); })`;
}

/** A copy of the policy pack whose tsconfig adds `noCheck: true` (the runner spreads it into ts-node's options). */
function noCheckPack(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pack-nocheck-"));
  fs.cpSync(path.join(ROOT, "policies"), dir, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const file = path.join(dir, "tsconfig.json");
  const text = fs.readFileSync(file, "utf8");
  if (!/"sourceMap": true\n/.test(text)) throw new Error("policies/tsconfig.json changed shape; update noCheckPack");
  fs.writeFileSync(file, text.replace(/"sourceMap": true\n/, '"sourceMap": true,\n    "noCheck": true\n'));
  return dir;
}

const medianOf = (xs: readonly Timed[]): Timed => ({ ms: median(xs.map((x) => x.ms)), cpuMs: median(xs.map((x) => x.cpuMs)) });
const both = (t: Timed) => `${secs(t.ms)} wall, ${secs(t.cpuMs)} CPU`;

/** The plan CLI as `npm run plan` starts it (package.json `plan`: `ts-node --swc tools/plan/cli.ts`). */
function planArgs(extra: string[]): string[] {
  return [TS_NODE_BIN, "--swc", CLI, "-q", "--timings", ...extra];
}

function timingsOf(stderr: string): { programMs?: number; policyMs?: number; totalMs?: number } {
  const m = /timings: program (\d+) ms, policy (\d+) ms, total (\d+) ms/.exec(stderr);
  return m ? { programMs: Number(m[1]), policyMs: Number(m[2]), totalMs: Number(m[3]) } : {};
}

function resourceCount(planFile: string): number {
  return (JSON.parse(fs.readFileSync(planFile, "utf8")) as { summary: { resources: number } }).summary.resources;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-out-"));
  const cleanup: string[] = [out];
  // The user's own switches would change how the runner and the pack load TypeScript: measure
  // without them. No TS_NODE_PROJECT either: every process inherits it, and the pack's ts-node
  // (which names no project) would read it instead of policies/tsconfig.json.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("TS_NODE_")) delete env[key];
  delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
  delete env.PULUMI_DEBUG_PROMISE_LEAKS;
  console.log(
    `bench-plan: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, Node ${process.version}, ${args.runs} run(s) each\n`,
  );

  try {
    // 1. The floor.
    const floorDir = tempProject("bench-floor", { "Pulumi.yaml": benchPulumiYaml("bench-floor"), "index.ts": SDK_IMPORTS });
    cleanup.push(floorDir);
    const runnerFloor: Timed[] = [];
    const bareFloor: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      runnerFloor.push(await timedSnippet("floor program", runnerSnippet(floorDir), env));
      const bare = await measure(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(floorDir, "index.ts")], floorDir, env);
      bareFloor.push(bare.wallMs);
    }
    const floorT = medianOf(runnerFloor);
    const floor = floorT.ms;
    console.log(`import floor (runner + engine, SDK imports only): ${both(floorT)}   [bare node + ts-node importing the SDKs: ${secs(median(bareFloor))}]`);

    // 2. prod as `pulumi up` loads it, before and after the runtime tsconfig (alternating runs).
    const before: Timed[] = [];
    const after: Timed[] = [];
    const mappedPromiseStacks: Timed[] = [];
    for (let i = 0; i < args.runs; i++) {
      before.push(await timedSnippet("prod before the runtime tsconfig", stackSnippet("prod", BEFORE_RUNTIME_TSCONFIG), env));
      after.push(await timedSnippet("prod with the runtime tsconfig", stackSnippet("prod"), env));
      mappedPromiseStacks.push(await timedSnippet("prod with the per-promise stacks mapped", stackSnippet("prod", PROMISE_STACKS_MAPPED), env));
    }
    const b = medianOf(before);
    const a = medianOf(after);
    const third = (x: number, y: number) => (x <= y / 3 ? "met" : "missed");
    console.log(`\nprod as pulumi up loads it — before the runtime tsconfig (type-checked): ${both(b)}`);
    console.log(`prod as pulumi up loads it — with tsconfig.pulumi.json (swc, no type check): ${both(a)}`);
    console.log(
      `  after/before: ${(a.ms / b.ms).toFixed(2)} wall, ${(a.cpuMs / b.cpuMs).toFixed(2)} CPU (target ≤ 0.33: ${third(a.ms, b.ms)} on wall, ${third(a.cpuMs, b.cpuMs)} on CPU); ` +
        `${(a.ms / floor).toFixed(1)}× the floor`,
    );
    const m = medianOf(mappedPromiseStacks);
    console.log(
      `prod as pulumi up loads it — the SDK's per-promise stacks source-mapped (PULUMI_DEBUG_PROMISE_LEAKS=1 turns infra/promise-stacks.ts off): ${both(m)}; ` +
        `the shortcut saves ${secs(m.ms - a.ms)} wall, ${secs(m.cpuMs - a.cpuMs)} CPU`,
    );

    // 3. The committed stacks (prod also without the pack, and with the pack type-checked).
    const perStack: Record<string, { wall: number; peak: number; resources: number }> = {};
    const cores = os.cpus().length;
    console.log("");
    const runs: Array<{ stack: string; label: string; extra: string[] }> = [
      { stack: "staging", label: "plan staging", extra: [] },
      { stack: "prod", label: "plan prod", extra: [] },
      { stack: "prod", label: "plan prod --no-policy", extra: ["--no-policy"] },
      { stack: "prod", label: "plan prod --typecheck-pack", extra: ["--typecheck-pack"] },
    ];
    for (const { stack, label, extra } of runs) {
      const walls: number[] = [];
      const cpus: number[] = [];
      const peaks: number[] = [];
      const programs: number[] = [];
      const policies: number[] = [];
      const outside: number[] = [];
      for (let i = 0; i < args.runs; i++) {
        const s = await measure(process.execPath, planArgs(["--stack", stack, "--out", out, "--timeout", "900", ...extra]), ROOT, env);
        if (s.exitCode === 2) throw new Error(`${label} failed:\n${s.stderr}`);
        walls.push(s.wallMs);
        cpus.push(s.cpuMs);
        peaks.push(s.peakBytes);
        const t = timingsOf(s.stderr);
        if (t.programMs !== undefined) programs.push(t.programMs);
        if (t.policyMs !== undefined) policies.push(t.policyMs);
        if (t.totalMs !== undefined) outside.push(s.wallMs - t.totalMs);
      }
      const resources = resourceCount(path.join(out, `${stack}.json`));
      if (extra.length === 0) perStack[stack] = { wall: median(walls), peak: Math.max(...peaks), resources };
      console.log(
        `${label.padEnd(26)}: ${secs(median(walls))} wall, ${secs(median(cpus))} CPU (/${cores} cores: ${secs(median(cpus) / cores)}); ` +
          `program ${secs(median(programs))}${extra.includes("--no-policy") ? "" : `, policy after it ${secs(median(policies))}`}, ` +
          `outside the stack's plan (CLI start-up, report) ${secs(median(outside))}; ` +
          `peak ${mib(Math.max(...peaks))} (process tree), ${resources} resources — ${(median(walls) / floor).toFixed(1)}× the floor`,
      );
    }
    const prodPlan = perStack.prod.wall;
    console.log(
      `  plan prod target (≤ 5 s, or ≤ 5× the floor): ${prodPlan <= 5000 || prodPlan <= 5 * floor ? "met" : "missed"} ` +
        `(${secs(prodPlan)}; 5× the floor is ${secs(5 * floor)})`,
    );

    // 4. What any program of this size pays: bare registrations, and the pack's start-up.
    const registrations = perStack.prod.resources - 1; // the stack itself is registered by the runner
    const regDir = tempProject("bench-registrations", {
      "Pulumi.yaml": benchPulumiYaml("bench-registrations"),
      "index.ts": `${SDK_IMPORTS}
for (let i = 0; i < ${registrations}; i++) new k8s.core.v1.ConfigMap(\`cm-\${i}\`, { metadata: { name: \`cm-\${i}\` }, data: { key: "value" } });
`,
    });
    cleanup.push(regDir);
    const packNoCheck = noCheckPack();
    cleanup.push(packNoCheck);
    const regRuns: Timed[] = [];
    const packStarts: Timed[] = [];
    const packNoCheckStarts: Timed[] = [];
    const packTranspiledStarts: Timed[] = [];
    for (let i = 0; i < args.runs; i++) {
      regRuns.push(await timedSnippet("registration program", runnerSnippet(regDir, registrations + 1), env));
      packStarts.push(await timedSnippet("policy pack start-up", packSnippet(path.join(ROOT, "policies")), env));
      packNoCheckStarts.push(await timedSnippet("policy pack start-up (noCheck)", packSnippet(packNoCheck), env));
      packTranspiledStarts.push(await timedSnippet("policy pack start-up (transpiled)", packSnippet(path.join(ROOT, "policies"), false), env));
    }
    const reg = medianOf(regRuns);
    const pack = medianOf(packStarts);
    const packNc = medianOf(packNoCheckStarts);
    const packSwc = medianOf(packTranspiledStarts);
    console.log(
      `\n${registrations} bare ConfigMaps through the same runner: ${both(reg)} — ${(reg.ms / floor).toFixed(1)}× the floor ` +
        `(${((reg.ms - floor) / registrations).toFixed(1)} ms per registration in the SDK)`,
    );
    console.log(`policy pack start-up, type-checked as the engine loads it: ${both(pack)} — ${(pack.ms / floor).toFixed(1)}× the floor`);
    console.log(`policy pack start-up with noCheck in its tsconfig: ${both(packNc)} (${secs(pack.cpuMs - packNc.cpuMs)} CPU less)`);
    console.log(
      `policy pack start-up transpiled with swc (the plan's default, typeCheck: false): ${both(packSwc)} ` +
        `(${secs(pack.cpuMs - packSwc.cpuMs)} CPU less) — ${(packSwc.ms / floor).toFixed(1)}× the floor`,
    );

    // 5. Synthetic catalogs.
    if (args.synthetic) {
      console.log("");
      const rows: Array<{ products: number; resources: number; wall: number; program: number; peak: number }> = [];
      for (const count of args.sizes) {
        const pulumiYaml = fs
          .readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")
          .replace(/^main: .*$/m, "main: index.ts")
          .replace(/^( {4}tsconfig: ).*$/m, `$1${RUNTIME_TSCONFIG}`);
        const dir = tempProject(`bench-catalog-${count}`, {
          "Pulumi.yaml": pulumiYaml,
          "Pulumi.staging.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"),
          "index.ts": syntheticProgram(count),
        });
        cleanup.push(dir);
        const runs = count >= 200 ? 1 : args.runs;
        const walls: number[] = [];
        const peaks: number[] = [];
        const programs: number[] = [];
        for (let i = 0; i < runs; i++) {
          const s = await measure(
            process.execPath,
            planArgs(["--project", dir, "--stack", "staging", "--out", path.join(out, `catalog-${count}`), "--timeout", "900"]),
            ROOT,
            env,
          );
          if (s.exitCode === 2) throw new Error(`plan of the ${count}-product catalog failed:\n${s.stderr}`);
          walls.push(s.wallMs);
          peaks.push(s.peakBytes);
          programs.push(timingsOf(s.stderr).programMs ?? NaN);
        }
        const resources = resourceCount(path.join(out, `catalog-${count}`, "staging.json"));
        rows.push({ products: count, resources, wall: median(walls), program: median(programs), peak: Math.max(...peaks) });
      }
      const base = rows[0];
      for (const r of rows) {
        const marginal = r === base ? NaN : (r.wall - base.wall) / (r.resources - base.resources);
        console.log(
          `catalog ${String(r.products).padStart(3)} products: ${String(r.resources).padStart(5)} resources, ${secs(r.wall).padStart(9)} wall ` +
            `(program ${secs(r.program)}), ${(r.wall / r.resources).toFixed(1).padStart(5)} ms/resource overall` +
            `${Number.isNaN(marginal) ? "" : `, ${marginal.toFixed(1)} ms per added resource`}, peak ${mib(r.peak)}`,
        );
      }
    }
  } finally {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
