/**
 * Policy config as the engine hands it to a pack: `ReconcilePolicyPackConfig` in the Pulumi CLI
 * starts from each policy's declared level and schema defaults, applies `all` (level only), then
 * each policy's entry of the `--policy-pack-config` file, and sends the result to `Configure`
 * for every policy.
 */
import type { EnforcementLevel, Policies, PolicyPackConfig } from "@pulumi/policy";

export interface ReconciledPolicyConfig {
  readonly enforcementLevel: EnforcementLevel;
  readonly properties: Record<string, unknown>;
}

/** The pack's default level (`PolicyPack` without `enforcementLevel`). */
export const PACK_DEFAULT_LEVEL: EnforcementLevel = "advisory";

export function reconcileConfig(policies: Policies, config: PolicyPackConfig = {}): Record<string, ReconciledPolicyConfig> {
  const result: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> = {};
  for (const p of policies) {
    const properties: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
      if (schema.default !== undefined) properties[key] = structuredClone(schema.default);
    }
    result[p.name] = { enforcementLevel: p.enforcementLevel ?? PACK_DEFAULT_LEVEL, properties };
  }
  const all = config.all;
  if (all !== undefined) {
    const level = typeof all === "string" ? all : all.enforcementLevel;
    if (level) for (const r of Object.values(result)) r.enforcementLevel = level;
  }
  for (const [name, given] of Object.entries(config)) {
    const target = result[name];
    if (name === "all" || !target) continue;
    if (typeof given === "string") {
      target.enforcementLevel = given;
      continue;
    }
    const { enforcementLevel, ...properties } = given;
    if (enforcementLevel) target.enforcementLevel = enforcementLevel;
    Object.assign(target.properties, properties);
  }
  return result;
}

/** Problems with a `--policy-pack-config` file: unknown rules or properties, wrong types. */
export function checkConfig(policies: Policies, config: PolicyPackConfig): string[] {
  const problems: string[] = [];
  const byName = new Map(policies.map((p) => [p.name, p]));
  const levels = ["advisory", "mandatory", "remediate", "disabled"];
  for (const [name, given] of Object.entries(config)) {
    const policy = byName.get(name);
    if (name !== "all" && !policy) {
      problems.push(`"${name}" is not a rule of this pack`);
      continue;
    }
    const entries = typeof given === "string" ? { enforcementLevel: given } : given;
    for (const [key, value] of Object.entries(entries)) {
      if (key === "enforcementLevel") {
        if (!levels.includes(String(value))) problems.push(`${name}.enforcementLevel: "${value}" is not one of ${levels.join(", ")}`);
        continue;
      }
      const schema = policy?.configSchema?.properties[key];
      if (!schema) {
        problems.push(`${name}.${key} is not a config property of that rule`);
        continue;
      }
      const type = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
      const want = schema.type === "integer" ? "number" : schema.type;
      if (want && type !== want) problems.push(`${name}.${key} must be ${schema.type}, got ${type}`);
    }
  }
  return problems;
}
