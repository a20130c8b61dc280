/**
 * `npm run plan` fails on dead alerts: tests/fixtures/dead-alert-program registers the monitored
 * product of monitored.ts, healthy or with one kind of dead alert. The plan's own step (here with
 * `--no-policy`) exits 1 naming the alert, the selector and the sources that exist; with the pack,
 * its stack rule `stack-missing-alert-series-source` reports the same as a mandatory violation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanDocument } from "../../tools/plan/json";
import { DEAD_KINDS, EXPECTED, type DeadKind } from "../fixtures/dead-alert-program/monitored";
import { ROOT, runCli, tempDir, type CliResult } from "./helpers";

const FIXTURE = path.join(ROOT, "tests/fixtures/dead-alert-program");
const out = tempDir("plan-dead-alerts-test");
const dead = {} as Record<DeadKind, CliResult>;
let cleanWithPack: CliResult;
let deadWithPack: CliResult;

beforeAll(async () => {
  // Only the dead-alert rule is mandatory: the fixture's pods are not hardened, on purpose.
  const policyConfig = path.join(out, "policy-config.json");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(policyConfig, JSON.stringify({ all: "advisory", "stack-missing-alert-series-source": "mandatory" }));
  const plan = (mode: string, ...args: string[]) =>
    runCli(["--project", FIXTURE, "--stack", "dev", "-q", "--timeout", "300", "--config", `mode=${mode}`, "--out", path.join(out, mode), ...args]);
  // Two cores: at most three programs at once, and one type-checked pack start at a time.
  const batches: Array<Array<() => Promise<CliResult>>> = [
    DEAD_KINDS.slice(0, 3).map((kind) => () => plan(kind, "--no-policy", "--json")),
    [() => plan(DEAD_KINDS[3], "--no-policy", "--json"), () => plan("clean", "--policy-config", policyConfig)],
    [() => plan("missing-probe", "--policy-config", policyConfig, "--out", path.join(out, "missing-probe-pack"))],
  ];
  const runs: CliResult[] = [];
  for (const batch of batches) runs.push(...(await Promise.all(batch.map((j) => j()))));
  DEAD_KINDS.forEach((kind, i) => (dead[kind] = runs[i]));
  [cleanWithPack, deadWithPack] = runs.slice(DEAD_KINDS.length);
}, 400_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe("npm run plan on dead alerts", () => {
  it("exits 0 on the healthy fixture, pack included, and says every alert reads a source", () => {
    expect(cleanWithPack.stderr).toBe("");
    expect(cleanWithPack.code).toBe(0);
    expect(cleanWithPack.stdout).toMatch(/Alert sources: ok — every selector of every alert reads series/);
    expect(cleanWithPack.stdout).toMatch(/Policy violations \(app-platform@[^)]*\): 0 mandatory/);
  });

  it.each(DEAD_KINDS)("exits 1 on %s, naming the alert, the selector and the sources that exist (without the pack)", (kind) => {
    const run = dead[kind];
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.exitCode).toBe(1);
    const doc = json.stacks[0].plan as PlanDocument;
    expect(doc.policy).toBeNull();
    expect(doc.summary.deadAlerts).toBe(doc.deadAlerts.length);
    expect([...new Set(doc.deadAlerts.map((d) => d.alert))].sort()).toEqual([...EXPECTED[kind].dead].sort());
    const finding = doc.deadAlerts.find((d) => d.selector === EXPECTED[kind].selector)!;
    expect(finding).toMatchObject({ alert: EXPECTED[kind].alert, urn: expect.stringContaining("PrometheusRule::shop-alerts") });
    expect(finding.message).toMatch(EXPECTED[kind].says);
    expect(finding.message).toMatch(/Sources that exist:\n(  - .*\n)+  - cluster prerequisites: kube-state-metrics \(job "kube-state-metrics"\)/);
    // The plan file holds the same findings.
    expect(JSON.parse(fs.readFileSync(path.join(out, kind, "dev.json"), "utf8")).deadAlerts).toEqual(doc.deadAlerts);
  });

  it("prints the finding under Alert sources, and the pack reports it as a mandatory violation", () => {
    expect(deadWithPack.code).toBe(1);
    const t = deadWithPack.stdout;
    expect(t).toMatch(/Alert sources: FAILED — 1 alert\(s\) can never fire \(1 selector\(s\) match no series source\):/);
    expect(t).toContain('✗ Alert "SupabaseDown" (shop/shop-alerts spec.groups[0].rules[4]) can never fire: selector `probe_success{dependency="supabase"}`');
    expect(t).toMatch(/Policy violations \(app-platform@[^)]*\): 1 mandatory/);
    expect(t).toMatch(/mandatory \(1\)\n {4}stack-missing-alert-series-source {2}shop-alerts \(PrometheusRule\)/);
  });
});
