/**
 * Benchmark of the offline plan (`npm run plan`). Not a test: it prints figures for the README.
 *
 *   npx ts-node --transpile-only scripts/bench-plan.ts [--runs 3] [--sizes 5,50,200] [--skip-synthetic]
 *
 * It measures, each as the median of `--runs` runs (peak memory: the maximum):
 * 1. the import floor — a program that only imports the SDKs the project uses, run through the
 *    same Pulumi runner and recording engine (and, for reference, a bare `node` that imports them);
 * 2. the plan of the committed stacks, staging and prod: the CLI's wall time and the peak memory
 *    of its whole process tree (CLI, program, policy pack), sampled from /proc;
 * 3. what the SDK and the pack cost however lean the program: the same floor program registering as
 *    many bare ConfigMaps as prod has resources (the SDK's per-registration work: serialising,
 *    gRPC, and the stack trace it captures for every promise, mapped through source maps by the
 *    runner's source-map-support), and the policy pack's start-up as the engine loads it
 *    (ts-node, type-checked: `run-policy-pack` hard-codes `typeCheck: true`);
 * 4. the plan of synthetic catalogs of 5, 50 and 200 products — the five products cloned under new
 *    ids in a temporary program outside the repository (stacks/ is untouched) — and the cost per
 *    resource, which should stay flat.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "tools/plan/cli.ts");

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

interface Sample {
  readonly wallMs: number;
  readonly peakBytes: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command, sampling the RSS of its process tree every 20 ms. */
function measure(cmd: string, args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
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
      resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, peakBytes: peak, exitCode: code ?? -1, stdout, stderr });
    });
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (b: number) => `${Math.round(b / 1024 / 1024)} MiB`;

/** A temporary Pulumi project beside the repository's node_modules. */
function tempProject(name: string, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, esModuleInterop: true, skipLibCheck: true, types: ["node"] }, files: ["index.ts"] }, null, 2),
  );
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
  const spec = CATALOG[base].build({ ...env, host: (label) => env.host(suffix(label)) });
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

/** Runs `snippet` in a fresh `node` (ts-node) and returns the `ms <n>` it prints; throws with its stderr if it fails. */
async function timedSnippet(what: string, snippet: string, env: NodeJS.ProcessEnv): Promise<number> {
  const s = await measure(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", snippet], ROOT, env);
  const ms = /ms (\d+)/.exec(s.stdout)?.[1];
  if (s.exitCode !== 0 || ms === undefined) throw new Error(`${what} failed:\n${s.stderr}`);
  return Number(ms);
}

/** A snippet that runs the project in `dir` through the harness (Pulumi's runner) and prints `ms <its duration>`; fails unless it registered `resources`, when given. */
function runnerSnippet(dir: string, resources?: number): string {
  const count = resources === undefined ? "" : ` || r.resources.length !== ${resources}`;
  return `require(${JSON.stringify(path.join(ROOT, "tools/harness"))}).runStack({ projectDir: ${JSON.stringify(dir)}, stack: "bench", transpileOnly: true }).then((r) => { if (!r.ok${count}) { console.error(r.stderr); process.exit(1); } console.log("ms", r.durationMs); })`;
}

function planArgs(extra: string[]): string[] {
  return ["-r", "ts-node/register/transpile-only", CLI, "-q", "--timings", ...extra];
}

function timingsOf(stderr: string): { programMs?: number; policyMs?: number } {
  const m = /timings: program (\d+) ms, policy (\d+) ms/.exec(stderr);
  return m ? { programMs: Number(m[1]), policyMs: Number(m[2]) } : {};
}

function resourceCount(planFile: string): number {
  return (JSON.parse(fs.readFileSync(planFile, "utf8")) as { summary: { resources: number } }).summary.resources;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-out-"));
  const cleanup: string[] = [out];
  const env = { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") };
  console.log(`bench-plan: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}, Node ${process.version}, ${args.runs} run(s) each\n`);

  try {
    // 1. The floor.
    const floorDir = tempProject("bench-floor", {
      "Pulumi.yaml": "name: bench-floor\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n",
      "index.ts": SDK_IMPORTS,
    });
    cleanup.push(floorDir);
    const runnerFloor: number[] = [];
    const bareFloor: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      runnerFloor.push(await timedSnippet("floor program", runnerSnippet(floorDir), env));
      const bare = await measure(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(floorDir, "index.ts")], floorDir, env);
      bareFloor.push(bare.wallMs);
    }
    const floor = median(runnerFloor);
    console.log(`import floor (runner + engine, SDK imports only): ${secs(floor)}   [bare node + ts-node importing the SDKs: ${secs(median(bareFloor))}]`);

    // 2. The committed stacks.
    const perStack: Record<string, { wall: number; peak: number; resources: number }> = {};
    for (const stack of ["staging", "prod"]) {
      const walls: number[] = [];
      const peaks: number[] = [];
      const programs: number[] = [];
      const policies: number[] = [];
      for (let i = 0; i < args.runs; i++) {
        const s = await measure(process.execPath, planArgs(["--stack", stack, "--out", out]), ROOT, env);
        if (s.exitCode === 2) throw new Error(`plan of ${stack} failed:\n${s.stderr}`);
        walls.push(s.wallMs);
        peaks.push(s.peakBytes);
        const t = timingsOf(s.stderr);
        if (t.programMs !== undefined) programs.push(t.programMs);
        if (t.policyMs !== undefined) policies.push(t.policyMs);
      }
      const resources = resourceCount(path.join(out, `${stack}.json`));
      perStack[stack] = { wall: median(walls), peak: Math.max(...peaks), resources };
      console.log(
        `plan ${stack.padEnd(7)}: ${secs(median(walls))} wall (program ${secs(median(programs))}, policy after it ${secs(median(policies))}), ` +
          `peak ${mib(Math.max(...peaks))} (process tree), ${resources} resources — ${(median(walls) / floor).toFixed(1)}× the floor`,
      );
    }

    // 3. What any program of this size pays: bare registrations, and the pack's start-up.
    const registrations = perStack.prod.resources - 1; // the stack itself is registered by the runner
    const regDir = tempProject("bench-registrations", {
      "Pulumi.yaml": "name: bench-registrations\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n",
      "index.ts": `${SDK_IMPORTS}
for (let i = 0; i < ${registrations}; i++) new k8s.core.v1.ConfigMap(\`cm-\${i}\`, { metadata: { name: \`cm-\${i}\` }, data: { key: "value" } });
`,
    });
    cleanup.push(regDir);
    const regWalls: number[] = [];
    const packStarts: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      regWalls.push(await timedSnippet("registration program", runnerSnippet(regDir, registrations + 1), env));
      const packSnippet = `const t = Date.now(); require(${JSON.stringify(path.join(ROOT, "policies/testing/engine"))}).PolicyPackProcess.start({ stack: "prod" }).then(async (p) => { console.log("ms", Date.now() - t); await p.stop(); })`;
      packStarts.push(await timedSnippet("policy pack start-up", packSnippet, env));
    }
    console.log(
      `\n${registrations} bare ConfigMaps through the same runner: ${secs(median(regWalls))} — ${(median(regWalls) / floor).toFixed(1)}× the floor ` +
        `(${((median(regWalls) - floor) / registrations).toFixed(1)} ms per registration in the SDK)`,
    );
    console.log(`policy pack start-up, type-checked as the engine loads it: ${secs(median(packStarts))} — ${(median(packStarts) / floor).toFixed(1)}× the floor`);

    // 4. Synthetic catalogs.
    if (args.synthetic) {
      console.log("");
      const rows: Array<{ products: number; resources: number; wall: number; program: number; peak: number }> = [];
      for (const count of args.sizes) {
        const pulumiYaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, "main: index.ts");
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
          const s = await measure(process.execPath, planArgs(["--project", dir, "--stack", "staging", "--out", path.join(out, `catalog-${count}`), "--timeout", "900"]), ROOT, env);
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
