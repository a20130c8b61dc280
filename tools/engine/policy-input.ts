/**
 * Turns resources recorded by the runner harness into the shape the policy pack's analyzers take
 * (`tools/engine/pack/types.ts`), the way the engine describes them: inputs with secret and unknown
 * markers, URN, parent, dependencies, protect flag and the resource's provider.
 */
import type { RegisteredResource } from "./harness";
import type { TestResource } from "./pack/types";

/** `urn::id` provider reference → the provider's URN. */
function providerUrn(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const i = ref.lastIndexOf("::");
  return i > 0 ? ref.slice(0, i) : ref;
}

export function toTestResources(resources: readonly RegisteredResource[]): TestResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r) => {
      const prov = byUrn.get(providerUrn(r.provider) ?? "");
      return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: (r.inputs ?? {}) as Record<string, unknown>,
        protect: r.protect ?? false,
        ...(r.parent ? { parent: r.parent } : {}),
        dependencies: r.dependencies ?? [],
        propertyDependencies: r.propertyDependencies ?? {},
        ...(prov ? { provider: { type: prov.type, name: prov.name, urn: prov.urn, props: (prov.inputs ?? {}) as Record<string, unknown> } } : {}),
      };
    });
}
