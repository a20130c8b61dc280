/**
 * Small helpers for the policy tests: run one rule through path 1 (in-process, engine-shaped
 * args) and pick its findings.
 */
import { expect } from "vitest";
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import type { AppPolicy } from "../../policies/lib/rule";
import { analyzeResource, analyzeStack } from "../../tools/engine/pack/in-process";
import type { AnalysisResult, RunOptions, TestResource, Violation } from "../../tools/engine/pack/types";

/** A test resource whose props tests may edit freely. */
export type Fixture = TestResource & { props: any };

export const PROD: RunOptions = { stackTags: { environment: "prod" } };
export const STAGING: RunOptions = { stackTags: { environment: "staging" } };

/** Deep copy of a fixture with `edit` applied to its props. */
export function edit(r: Fixture, change: (props: any) => void): Fixture {
  const copy: Fixture = structuredClone(r);
  change(copy.props);
  return copy;
}

/** Runs one rule (resource or stack) the way the engine would; prod unless told otherwise. */
export async function run(rule: AppPolicy, resources: Fixture | readonly Fixture[], options: RunOptions = PROD): Promise<AnalysisResult> {
  const policies: Policies = [rule];
  if (rule.metadata.kind === "stack") {
    return analyzeStack(policies, Array.isArray(resources) ? resources : [resources as Fixture], options);
  }
  if (Array.isArray(resources)) throw new Error("a resource rule checks one resource at a time");
  return analyzeResource(policies, resources as Fixture, options);
}

/** The violations of one run, own rule only. */
export async function violations(rule: AppPolicy, resources: Fixture | readonly Fixture[], options?: RunOptions): Promise<readonly Violation[]> {
  return (await run(rule, resources, options)).violations.filter((v) => v.policyName === rule.name);
}

/** Asserts no violation. */
export async function expectClean(rule: AppPolicy, resources: Fixture | readonly Fixture[], options?: RunOptions): Promise<void> {
  const found = await violations(rule, resources, options);
  expect(found.map((v) => v.message)).toEqual([]);
}

/** Asserts exactly one violation matching `message` at `level` (mandatory by default) and returns it. */
export async function expectViolation(
  rule: AppPolicy,
  resources: Fixture | readonly Fixture[],
  message: RegExp,
  level: EnforcementLevel = rule.enforcementLevel ?? "advisory",
  options?: RunOptions,
): Promise<Violation> {
  const found = await violations(rule, resources, options);
  const matching = found.filter((v) => message.test(v.message));
  expect(
    matching.map((v) => v.message),
    `violations: ${JSON.stringify(found.map((v) => v.message))}`,
  ).toHaveLength(1);
  expect(matching[0].enforcementLevel).toBe(level);
  expect(matching[0].message.startsWith(rule.description)).toBe(true);
  return matching[0];
}

/** Asserts the rule says it does not apply to the resource. */
export async function expectNotApplicable(rule: AppPolicy, resources: Fixture | readonly Fixture[], options?: RunOptions): Promise<void> {
  const result = await run(rule, resources, options);
  expect(result.violations.filter((v) => v.policyName === rule.name)).toEqual([]);
  expect(result.notApplicable.map((n) => n.policyName)).toContain(rule.name);
}
