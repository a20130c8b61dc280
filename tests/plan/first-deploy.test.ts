/**
 * The first CI deploy on a fresh account: .github/workflows/deploy.yml, run job by job
 * in its `needs` order against an account that holds no Vercel project yet — and against one that
 * holds all but one, as when a new web app is added later. Which stack creates and which looks up
 * which project comes from the program itself: each stack run once with every project present
 * (the committed-stack run) and once with none (every lookup failing as Vercel's does).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RunResult } from "../../tools/engine/harness";
import { runOfflineStack } from "../../tools/engine/offline-stack";
import { PROJECT_ROOT } from "../../tools/engine/stack-run";
import {
  DeployJob,
  StackProjectFacts,
  VERCEL_GET_DOMAIN_CONFIG,
  VERCEL_GET_PROJECT,
  deployJobs,
  simulateDeploy,
  stackProjectFacts,
} from "../../tools/deploy-order";
import { committedStackRun } from "../helpers/stack-runs";

const WORKFLOW = path.join(PROJECT_ROOT, ".github/workflows/deploy.yml");
const STACKS = ["staging", "prod"] as const;

/** What the Vercel provider reports for a project that does not exist (HTTP 404, `not_found`). */
const notFound = (args: Record<string, any>) => {
  throw new Error(`Could not read project  ${args.name}, unexpected error: not_found - Project not found`);
};
/** On an account without projects, the DNS recommendation for any project (by name or id) fails the same way. */
const noDomainConfig = (args: Record<string, any>) => {
  throw new Error(`Could not read domain config for ${args.domain}, unexpected error: not_found - Project ${args.projectIdOrName} not found`);
};

const jobs: DeployJob[] = deployJobs(parse(fs.readFileSync(WORKFLOW, "utf8")));
const facts: Record<string, StackProjectFacts> = {};
const empty: Record<string, RunResult> = {};

beforeAll(async () => {
  await Promise.all(
    STACKS.map(async (stack) => {
      const [full, none] = await Promise.all([
        committedStackRun(stack),
        runOfflineStack({
          projectDir: PROJECT_ROOT,
          stack,
          invokeOverrides: { [VERCEL_GET_PROJECT]: notFound, [VERCEL_GET_DOMAIN_CONFIG]: noDomainConfig },
        }).then((r) => r.result),
      ]);
      facts[stack] = stackProjectFacts(full, none);
      empty[stack] = none;
    }),
  );
}, 300_000);

const allProjects = () => new Set(Object.values(facts).flatMap((f) => [...f.creates]));

describe("which stack creates and which looks up each Vercel project (from the program)", () => {
  it("prod creates every web app's project; staging looks each of them up", () => {
    expect(facts.prod.creates.size).toBeGreaterThan(0);
    expect([...facts.staging.looksUp].sort()).toEqual([...facts.prod.creates].sort());
    expect(facts.staging.creates.size).toBe(0);
  });

  it("staging without the projects still succeeds, skips them with a warning, and reports them in `pendingVercelProjects`", async () => {
    const run = empty.staging;
    expect(run.ok, run.stderr).toBe(true);
    expect(facts.staging.tolerant).toBe(true);
    expect(run.stackOutputs.pendingVercelProjects).toEqual([...facts.staging.looksUp].sort());
    const warnings = run.logs.filter((l) => l.severity === "warning" && /does not exist yet; the prod stack creates it/.test(l.message));
    expect(warnings).toHaveLength(facts.staging.looksUp.size);
    // Nothing of a missing project is registered: no variable or domain with an empty project id.
    const vercelChildren = run.resources.filter((r) => r.type.startsWith("vercel:index/project"));
    expect(vercelChildren.map((r) => r.type)).toEqual([]);
    // Nor its DNS records, nor a DNS lookup for it; the API hosts' records stay.
    expect(run.invokes.filter((i) => i.token === VERCEL_GET_DOMAIN_CONFIG)).toEqual([]);
    const vercelHosts = (await committedStackRun("staging")).invokes
      .filter((i) => i.token === VERCEL_GET_DOMAIN_CONFIG)
      .map((i) => String((i.args as { domain?: unknown }).domain));
    expect(vercelHosts.length).toBeGreaterThan(0);
    const names = run.resources.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord").map((r) => String(r.inputs.name));
    expect(names.length).toBeGreaterThan(0); // the API hosts' records
    expect(names.filter((n) => vercelHosts.includes(n))).toEqual([]);
  });

  it("no stack names a Vercel project in a DNS lookup: staging asks by the looked-up id, prod by the created project's id", async () => {
    for (const stack of STACKS) {
      const asked = (await committedStackRun(stack)).invokes.filter((i) => i.token === VERCEL_GET_DOMAIN_CONFIG);
      for (const i of asked) expect(String((i.args as { projectIdOrName?: unknown }).projectIdOrName)).toMatch(/^prj_/);
      // prod's ids are unknown until `up` creates the projects, so its preview asks nothing yet.
      if (stack === "prod") expect(asked).toEqual([]);
      else expect(asked.length).toBeGreaterThan(0);
    }
  });

  it("with every project present nothing is pending", async () => {
    for (const stack of STACKS) expect((await committedStackRun(stack)).stackOutputs.pendingVercelProjects).toEqual([]);
  });
});

describe("deploy.yml on a fresh account", () => {
  it("the jobs deploy the committed stacks: staging, prod after it, staging again after both", () => {
    expect(jobs.map((j) => [j.id, j.stack, j.needs])).toEqual(
      expect.arrayContaining([
        ["staging", "staging", []],
        ["prod", "prod", ["staging"]],
        ["staging-after-prod", "staging", ["staging", "prod"]],
      ]),
    );
    for (const j of jobs) if (j.stack) expect(STACKS).toContain(j.stack);
  });

  it("the first run works: no job needs a project a later job creates, and staging ends complete", () => {
    const sim = simulateDeploy(jobs, facts, new Set());
    expect(sim.problems).toEqual([]);
    expect(sim.missing.staging).toEqual([...facts.staging.looksUp].sort());
    expect(sim.missing["staging-after-prod"]).toEqual([]);
  });

  it("and so does the run after a new web app is added (its project exists nowhere yet)", () => {
    const all = allProjects();
    expect(all.size).toBeGreaterThan(1);
    for (const added of all) {
      const existing = new Set([...all].filter((p) => p !== added));
      const sim = simulateDeploy(jobs, facts, existing);
      expect(sim.problems, `new app "${added}"`).toEqual([]);
      expect(sim.missing.staging).toEqual([added]);
    }
  });

  it("the follow-up job runs exactly when staging reported pending projects, from the program's own output", () => {
    const followUp = jobs.find((j) => j.id === "staging-after-prod")!;
    const m = /^needs\.(\w[\w-]*)\.outputs\.([\w-]+) != '\[\]'$/.exec(followUp.if ?? "");
    expect(m, followUp.if).not.toBeNull();
    const [, job, output] = m!;
    const source = jobs.find((j) => j.id === job)!;
    expect(source.stack).toBe("staging");
    const stackOutput = /^\$\{\{ steps\.up\.outputs\.(\w+) \}\}$/.exec(source.outputs[output])?.[1];
    expect(stackOutput).toBe("pendingVercelProjects");
    // The stack really exports it (pulumi/actions sets every stack output as a step output).
    expect(Object.keys(empty.staging.stackOutputs)).toContain(stackOutput);
  });
});

describe("the gate fails when it should", () => {
  const strict = () => ({ ...facts, staging: { ...facts.staging, tolerant: false } });
  const oldWorkflow = () => jobs.filter((j) => j.id !== "staging-after-prod");

  it("the old order (staging, then prod) with a staging that fails on a missing project deadlocks", () => {
    const sim = simulateDeploy(oldWorkflow(), strict(), new Set());
    expect(sim.problems.length).toBe(facts.staging.looksUp.size);
    expect(sim.problems[0]).toMatch(
      /^job `staging` \(stack `staging`\) looks up Vercel project ".+", which only job `prod` creates, and it does not run before/,
    );
  });

  it("a tolerant staging without the follow-up job ends the run incomplete", () => {
    const sim = simulateDeploy(oldWorkflow(), facts, new Set());
    expect(sim.problems).toHaveLength(1);
    expect(sim.problems[0]).toMatch(/^stack `staging` ends the run without the variables and domains of Vercel project\(s\)/);
  });

  it("a staging job that does not wait for prod before its second run is caught", () => {
    const parallel = jobs.map((j) => (j.id === "staging-after-prod" ? { ...j, needs: ["staging"] } : j));
    const sim = simulateDeploy(parallel, facts, new Set());
    expect(sim.problems.join("\n")).toMatch(/ends the run without/);
  });

  it("a stack that looks a project up by name which it creates itself fails its first deploy (the old DNS lookup)", () => {
    const byName = { ...facts, prod: { ...facts.prod, looksUp: new Set(facts.prod.creates) } };
    const sim = simulateDeploy(jobs, byName, new Set());
    expect(sim.problems.length).toBe(facts.prod.creates.size);
    expect(sim.problems[0]).toMatch(/^job `prod` \(stack `prod`\) looks up Vercel project ".+" by name, which the same stack creates/);
    // Once the projects exist (every later deploy) the same lookup works.
    expect(simulateDeploy(jobs, byName, allProjects()).problems).toEqual([]);
  });

  it("prod first, then staging, would also work with a strict staging (the other fix the issue allows)", () => {
    const prodFirst: DeployJob[] = [
      { id: "prod", needs: [], stack: "prod", outputs: {} },
      { id: "staging", needs: ["prod"], stack: "staging", outputs: {} },
    ];
    expect(simulateDeploy(prodFirst, strict(), new Set()).problems).toEqual([]);
  });
});
