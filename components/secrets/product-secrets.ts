/** A product's secrets: its provided values and its generated (rotated) ones, in one `SecretSet`. */
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../context";
import type { ProductSpec } from "../product-spec";
import { SecretSet } from "./secret-set";

/** Every secret the product declares: provided ones that have a value, and the generated ones (48 characters unless the spec says). */
export function productSecrets(
  name: string,
  ctx: PlatformContext,
  spec: Pick<ProductSpec, "providedSecrets" | "generatedSecrets">,
  values: Readonly<Record<string, pulumi.Input<string>>>,
  clock: (() => Date) | undefined,
  parent: pulumi.Resource,
  onDemand: Readonly<Record<string, number>> = {},
): SecretSet {
  const provided: Record<string, pulumi.Input<string>> = {};
  for (const s of spec.providedSecrets) {
    const v = values[s.name];
    if (v !== undefined) provided[s.name] = v;
  }
  const generated = Object.fromEntries(
    spec.generatedSecrets.map((g) => [g.name, { length: g.length ?? 48, dataKey: g.dataKey, rotate: g.rotate, keepPrevious: g.keepPrevious }]),
  );
  return new SecretSet(`${name}-secrets`, { context: ctx, provided, generated, clock, onDemand }, { parent });
}
