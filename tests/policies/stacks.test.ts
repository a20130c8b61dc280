/**
 * The program's own stacks pass the policy pack: every resource the committed `staging` and
 * `prod` stacks register (recorded through Pulumi's runner) goes through every rule, and no
 * mandatory violation may remain. Advisory findings are listed, and the README explains them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { rules } from "../../policies/rules";
import { analyzeResource, analyzeStack } from "../../tools/engine/pack/in-process";
import type { TestResource, Violation } from "../../tools/engine/pack/types";
import { committedStackRun } from "../helpers/stack-runs";
import { toTestResources } from "../../tools/engine/policy-input";

const found: Record<string, Violation[]> = {};

beforeAll(async () => {
  for (const stack of ["staging", "prod"]) {
    const run = await committedStackRun(stack);
    expect(run.ok, run.stderr).toBe(true);
    const resources: TestResource[] = toTestResources(run.resources);
    const options = { stackTags: { environment: stack } };
    const violations: Violation[] = [];
    for (const r of resources) violations.push(...(await analyzeResource([...rules], r, options)).violations);
    violations.push(...(await analyzeStack([...rules], resources, options)).violations);
    found[stack] = violations;
  }
}, 120_000);

const DEAD_RULE = "stack-missing-alert-series-source";
describe.each(["staging", "prod"])("the %s stack under the policy pack", (stack) => {
  it("has no mandatory violation", () => {
    const mandatory = found[stack].filter((v) => v.enforcementLevel === "mandatory");
    expect(mandatory.map((v) => `${v.policyName} ${v.urn ?? ""}: ${v.message}`)).toEqual([]);
  });

  it("has no dead alert: every alert reads series a source of the stack produces", () => {
    const dead = found[stack].filter((v) => v.policyName === DEAD_RULE);
    expect(dead.map((v) => v.message)).toEqual([]);
  });

  it("lists its advisory findings (README: policies, advisory findings)", () => {
    const advisory = found[stack].filter((v) => v.enforcementLevel === "advisory");
    const byRule = [...new Set(advisory.map((v) => v.policyName))].sort();
    console.log(`${stack}: ${advisory.length} advisory findings from ${byRule.join(", ") || "no rule"}`);
    if (process.env.SHOW_ADVISORY) for (const v of advisory) console.log(`ADV ${stack} ${v.policyName} | ${v.message.split("\n").pop()}`);
    expect(byRule).toEqual(expect.any(Array));
  });
});
