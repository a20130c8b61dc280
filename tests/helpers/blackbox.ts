/**
 * The blackbox_exporter configuration a stack ships (its module Secret) and what its Probes name,
 * read from the resources recorded under mocks, for the products tests.
 */
import { parse } from "yaml";
import { BLACKBOX_CONFIG_KEY } from "../../components/monitoring/blackbox-modules";
import type { RecordedResource } from "./mocks";

const SECRET = "kubernetes:core/v1:Secret";
const PROBE = "kubernetes:monitoring.coreos.com/v1:Probe";

/** The stack's module Secret (`blackbox-modules-<env>`), its parsed `blackbox.yaml` and whether that arrived as a Pulumi secret. */
export function shippedModules(resources: readonly RecordedResource[]): {
  secret: RecordedResource;
  modules: Record<string, any>;
  isPulumiSecret: boolean;
} {
  const found = resources.filter((r) => r.type === SECRET && r.name.startsWith("blackbox-modules-"));
  if (found.length !== 1) throw new Error(`expected one blackbox-modules Secret, found ${found.length}`);
  const secret = found[0];
  const text = secret.inputs.stringData?.[BLACKBOX_CONFIG_KEY];
  if (typeof text !== "string") throw new Error(`Secret ${secret.name} has no stringData.${BLACKBOX_CONFIG_KEY}`);
  const path = `stringData.${BLACKBOX_CONFIG_KEY}`;
  const isPulumiSecret = secret.secretPaths.some((p) => p === "(root)" || p === "stringData" || p === path);
  return { secret, modules: (parse(text) as { modules: Record<string, any> }).modules, isPulumiSecret };
}

/** Every Probe's module, by Probe name (`<product>-probes-<probe>`). */
export function probeModules(resources: readonly RecordedResource[]): Record<string, string> {
  return Object.fromEntries(resources.filter((r) => r.type === PROBE).map((r) => [r.name, r.inputs.spec.module as string]));
}

/**
 * Whether a Vercel Firewall rule counts a request for `path`: some condition group whose
 * conditions all match (`pre` prefix, `eq` equality, each possibly negated by `neg`). Only the
 * path conditions the platform writes are understood; anything else throws, so a new condition
 * kind cannot pass unread.
 */
export function firewallRuleCounts(
  rule: { conditionGroups: Array<{ conditions: Array<{ type: string; op: string; value?: string; neg?: boolean }> }> },
  path: string,
): boolean {
  return rule.conditionGroups.some((g) =>
    g.conditions.every((c) => {
      if (c.type !== "path") throw new Error(`firewall condition type ${c.type} not understood by this check`);
      const hit = c.op === "pre" ? path.startsWith(c.value ?? "") : c.op === "eq" ? path === c.value : undefined;
      if (hit === undefined) throw new Error(`firewall condition op ${c.op} not understood by this check`);
      return c.neg ? !hit : hit;
    }),
  );
}

/** Every Probe target URL, with the Probe's name. */
export function probeTargets(resources: readonly RecordedResource[]): Array<{ probe: string; url: URL }> {
  return resources
    .filter((r) => r.type === PROBE)
    .flatMap((r) => ((r.inputs.spec.targets?.staticConfig?.static ?? []) as string[]).map((t) => ({ probe: r.name, url: new URL(t) })));
}
