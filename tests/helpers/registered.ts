/**
 * A `RegisteredResource` as the runner harness records it, with every option at its default, for
 * tests of code that reads recorded resources (rule export, schema checks, the plan).
 */
import type { RegisteredResource } from "../../tools/engine/harness";

export function registeredResource(partial: Partial<RegisteredResource> & Pick<RegisteredResource, "type" | "name">): RegisteredResource {
  return {
    urn: `urn:pulumi:test::app-platform::${partial.type}::${partial.name}`,
    custom: true,
    read: false,
    remote: false,
    providers: {},
    dependencies: [],
    propertyDependencies: {},
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    replaceOnChanges: [],
    additionalSecretOutputs: [],
    hideDiffs: [],
    aliases: [],
    inputs: {},
    ...partial,
  };
}
