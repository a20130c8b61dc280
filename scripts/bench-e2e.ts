/**
 * How long the end-to-end alerting suite (tests/e2e/) takes: runs it with vitest the way
 * `npm run test:e2e` does, `--runs N` times (default 1), and prints the wall time of each run and
 * the time of each test from vitest's JSON report, so the README's figure and the CI budget can be
 * checked.
 *
 *   npm run bench:e2e
 *   npm run bench:e2e -- --runs 3
 *
 * Needs what the suite needs (tests/e2e/binaries.ts installs Debian's packages as root).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; startTime: number; endTime: number; assertionResults: { fullName: string; status: string; duration?: number }[] }[];
}

function parseRuns(argv: readonly string[]): number {
  const i = argv.indexOf("--runs");
  if (i === -1) return 1;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error("`--runs` needs a positive whole number");
  return n;
}

function main(): number {
  const runs = parseRuns(process.argv.slice(2));
  const root = resolve(__dirname, "..");
  const dir = mkdtempSync(join(tmpdir(), "bench-e2e-"));
  const walls: number[] = [];
  let failed = false;
  try {
    for (let run = 1; run <= runs; run++) {
      const out = join(dir, `report-${run}.json`);
      const t0 = process.hrtime.bigint();
      const r = spawnSync("npx", ["vitest", "run", "tests/e2e", "--maxWorkers=1", "--reporter=json", `--outputFile=${out}`], {
        cwd: root,
        stdio: ["ignore", "ignore", "inherit"],
      });
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      walls.push(wall);
      const report = JSON.parse(readFileSync(out, "utf8")) as Report;
      console.log(`run ${run}: ${wall.toFixed(1)} s wall, ${report.numPassedTests} passed, ${report.numFailedTests} failed (exit ${r.status})`);
      if (r.status !== 0) failed = true;
      for (const file of report.testResults) {
        console.log(`  ${file.name.replace(`${root}/`, "")}: ${((file.endTime - file.startTime) / 1000).toFixed(1)} s (set-up included)`);
        for (const t of file.assertionResults) console.log(`    ${((t.duration ?? 0) / 1000).toFixed(1).padStart(6)} s  ${t.status.padEnd(7)} ${t.fullName}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...walls].sort((a, b) => a - b);
  console.log(
    `bench:e2e: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s wall over ${runs} run(s) (stack runs in vitest's global set-up included)`,
  );
  return failed ? 1 : 0;
}

process.exit(main());
