/**
 * The whole pack against a compliant stack and a deliberately insecure one (path 1, prod):
 * every gate must be able to fail.
 */
import { describe, expect, it } from "vitest";
import { rules } from "../../policies/rules";
import { analyzeResource, analyzeStack } from "../../tools/engine/pack/in-process";
import type { RunOptions, Violation } from "../../tools/engine/pack/types";
import { compliantStack, EXPECTED_INSECURE, insecureFixtures } from "./scenarios";
import { PROD, STAGING, type Fixture } from "./helpers";

async function runPack(resources: readonly Fixture[], options: RunOptions): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const r of resources) found.push(...(await analyzeResource([...rules], r, options)).violations);
  found.push(...(await analyzeStack([...rules], resources, options)).violations);
  return found;
}

describe("the whole pack", () => {
  it("finds nothing, not even advice, in the compliant stack", async () => {
    expect((await runPack(compliantStack(), PROD)).map((v) => `${v.policyName}: ${v.message}`)).toEqual([]);
  });

  it("reports every expected violation of the insecure fixtures as mandatory on prod", async () => {
    const found = await runPack(insecureFixtures(), PROD);
    for (const [policy, message] of EXPECTED_INSECURE) {
      const match = found.filter((v) => v.policyName === policy && message.test(v.message));
      expect(
        match.map((v) => v.enforcementLevel),
        `${policy} ${message}`,
      ).toEqual(["mandatory"]);
    }
    // Every finding says how to fix it.
    expect(found.filter((v) => !/\nFix: |\. Fix: /.test(v.message)).map((v) => v.message)).toEqual([]);
  });

  it("downgrades only the prod-scoped rules on staging", async () => {
    const found = await runPack(insecureFixtures(), STAGING);
    const bare = found.find((v) => v.policyName === "kubernetes-disallow-bare-pods");
    expect(bare?.enforcementLevel).toBe("advisory");
    const privileged = found.find((v) => v.policyName === "kubernetes-disallow-privileged-containers");
    expect(privileged?.enforcementLevel).toBe("mandatory");
  });

  it("honours per-rule enforcement overrides and the `all` level", async () => {
    const disabled = await runPack(insecureFixtures(), { ...PROD, config: { "kubernetes-disallow-privileged-containers": "disabled" } });
    expect(disabled.some((v) => v.policyName === "kubernetes-disallow-privileged-containers")).toBe(false);
    const advisory = await runPack(insecureFixtures(), { ...PROD, config: { all: "advisory" } });
    expect(advisory.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });
});
