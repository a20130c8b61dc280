/**
 * The blackbox_exporter configuration a stack ships (its module Secret) and what its Probes name,
 * read from the resources recorded under mocks, for the products tests.
 */
import { parse } from "yaml";
import { BLACKBOX_CONFIG_KEY } from "../../components/blackbox-modules";
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
