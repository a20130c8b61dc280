/**
 * Compares the offline plan and the policy pack's start-up of this tree with a base commit, in one
 * run, as ratios. Not a test: it prints what it measured.
 *
 *   npm run bench:compare -- --base <ref> [--runs 5]
 *
 * The base is checked out in a temporary git worktree that borrows this tree's node_modules (the
 * base's dependencies are a subset, at the same pins). Runs alternate base, head, base, head, ... so
 * that load from elsewhere on the machine falls on both alike. Per run it measures:
 * - the prod plan as `npm run plan -- --stack prod --timings` starts it (`ts-node --swc
 *   tools/plan/cli.ts`): wall time of the whole command, and the program and policy times the CLI
 *   reports;
 * - the pack's start-up: a fresh Node.js that loads `policies/index.ts` transpiled with swc (as the
 *   plan starts it) until its analyzer server prints its port, wall time.
 * Prints the medians and head/base ratios.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(__dirname, "..");

interface Sample {
  planMs: number;
  programMs: number;
  policyMs: number;
  packStartMs: number;
}

function run(cmd: string, args: string[], cwd: string): { ms: number; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28, timeout: 20 * 60_000, env: { ...process.env, FORCE_COLOR: "0" } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} in ${cwd} exited ${r.status}${r.signal ? ` (${r.signal}: over 20 minutes?)` : ""}:\n${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Loads the pack as the analyzer host does and exits when it is ready to serve: `PolicyPack`'s
 * constructor binds its gRPC server and prints the port (@pulumi/policy `server.js` `serve`), the
 * line the engine waits for; the server would otherwise keep the process alive.
 */
const PACK_START = [
  "const log = console.log;",
  "console.log = (...a) => { log(...a); if (a.length === 1 && /^\\d+$/.test(String(a[0]))) process.exit(0); };",
  'require("ts-node").register({ swc: true, transpileOnly: true, project: "policies/tsconfig.json" });',
  'require("./policies/index.ts");',
].join(" ");

function sample(dir: string, out: string): Sample {
  const plan = run(
    process.execPath,
    [path.join(dir, "node_modules/ts-node/dist/bin.js"), "--swc", "tools/plan/cli.ts", "--stack", "prod", "--timings", "-q", "--out", out, "--timeout", "600"],
    dir,
  );
  const m = /prod: timings: program (\d+) ms, policy (\d+) ms/.exec(plan.stderr);
  if (!m) throw new Error(`no timings line from the plan in ${dir}:\n${plan.stderr.slice(-1000)}`);
  const pack = run(process.execPath, ["-e", PACK_START], dir);
  return { planMs: plan.ms, programMs: Number(m[1]), policyMs: Number(m[2]), packStartMs: pack.ms };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const { values } = parseArgs({ options: { base: { type: "string" }, runs: { type: "string" } } });
  if (!values.base) throw new Error("--base <ref> is required, e.g. --base origin/main");
  const runs = Number(values.runs ?? "5");
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number >= 1, got ${values.runs}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-compare-"));
  const baseDir = path.join(tmp, "base");
  run("git", ["worktree", "add", "--detach", baseDir, values.base], ROOT);
  try {
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(baseDir, "node_modules"));
    const samples: Record<"base" | "head", Sample[]> = { base: [], head: [] };
    sample(baseDir, path.join(tmp, "warm-base")); // warm the file cache for both
    sample(ROOT, path.join(tmp, "warm-head"));
    for (let i = 0; i < runs; i++) {
      samples.base.push(sample(baseDir, path.join(tmp, `base-${i}`)));
      samples.head.push(sample(ROOT, path.join(tmp, `head-${i}`)));
    }
    const rows: [string, keyof Sample][] = [
      ["prod plan, whole command", "planMs"],
      ["  of it: the program", "programMs"],
      ["  of it: the policy step", "policyMs"],
      ["policy pack start-up (swc)", "packStartMs"],
    ];
    process.stdout.write(
      `bench:compare — base ${values.base}, head ${ROOT}, ${runs} alternating runs each, medians; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}\n`,
    );
    for (const [label, key] of rows) {
      const b = median(samples.base.map((s) => s[key]));
      const h = median(samples.head.map((s) => s[key]));
      process.stdout.write(
        `${label.padEnd(30)} base ${String(Math.round(b)).padStart(6)} ms   head ${String(Math.round(h)).padStart(6)} ms   head/base ${(h / b).toFixed(3)}\n`,
      );
    }
  } finally {
    spawnSync("git", ["worktree", "remove", "--force", baseDir], { cwd: ROOT });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
