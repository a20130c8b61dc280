/**
 * Joins between resources in stack rules. During preview, names and IDs computed by other
 * resources are unknown, so joins go through `propertyDependencies` (which input came from which
 * resource) first and fall back to comparing literal names.
 */
import type { PolicyResource } from "@pulumi/policy";
import { K8S, workloadOf, type Workload } from "./kubernetes";
import { known, obj, UNKNOWN } from "./values";

/** Resources of any of `types`. */
export function ofTypes(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

/** Whether `resource.props[property]` came from `target` (its URN is among the property's dependencies). */
export function propertyFrom(resource: PolicyResource, property: string, target: PolicyResource): boolean {
  return (resource.propertyDependencies[property] ?? []).some((d) => d.urn === target.urn);
}

/**
 * The one join of the pack: whether `resource.props[property]` names `target` by its physical
 * identity (`identities(target)`: its physical name, ID or ARN). A reference whose value is known
 * belongs to the target whose known identity it equals, never to one that merely shares a Pulumi
 * resource name. Only when that cannot be decided in preview (the reference or every identity of
 * the target is computed) does Pulumi's record of where the input came from
 * (`propertyDependencies`) decide.
 */
export function namesTarget(
  resource: PolicyResource,
  property: string,
  target: PolicyResource,
  identities: (target: PolicyResource) => readonly unknown[],
): boolean {
  const ref = known(() => resource.props[property]);
  if (ref === undefined || ref === null || ref === "") return false;
  if (typeof ref === "string") {
    const ids = identities(target).filter((id): id is string => typeof id === "string" && id !== "");
    if (ids.length > 0) return ids.includes(ref);
  }
  return propertyFrom(resource, property, target);
}

/** A known string property, or undefined (absent or unknown during preview). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resource's planned inputs, any shape
export function knownString(resource: PolicyResource, read: (props: Record<string, any>) => unknown): string | undefined {
  const v = known(() => read(resource.props));
  return typeof v === "string" ? v : undefined;
}

/** A workload in a stack rule, with its resource. */
export interface StackWorkload extends Workload {
  readonly resource: PolicyResource;
}

/** Every workload of the stack whose pod spec and labels are known. */
export function workloadsOf(resources: readonly PolicyResource[], ...types: string[]): StackWorkload[] {
  const result: StackWorkload[] = [];
  for (const r of resources) {
    if (types.length > 0 && !types.includes(r.type)) continue;
    const w = known(() => {
      const view = workloadOf(r.type, r.props, r.name);
      // Touch what the joins read so unknowns surface here rather than later.
      return view ? { ...view, podLabels: { ...view.podLabels }, metadata: { ...view.metadata } } : undefined;
    });
    if (w && w !== UNKNOWN) result.push({ ...w, resource: r });
  }
  return result;
}

/**
 * The namespace key of a namespaced object: its `metadata.namespace`, else its provider's
 * namespace, else `default`. When the namespace is computed (preview), the key is the Namespace
 * resource it came from, or `?` which matches any namespace.
 */
export function namespaceKey(r: PolicyResource): string {
  const ns = known(() => obj(r.props.metadata).namespace);
  if (typeof ns === "string" && ns !== "") return ns;
  if (ns === UNKNOWN) {
    const from = (r.propertyDependencies.metadata ?? []).find((d) => d.type === K8S.Namespace);
    if (from) {
      const name = known(() => obj(from.props.metadata).name);
      return typeof name === "string" ? name : `urn:${from.urn}`;
    }
    return "?";
  }
  const providerNs = known(() => r.provider?.props.namespace);
  return typeof providerNs === "string" && providerNs !== "" ? providerNs : "default";
}

/** Whether two objects are (or may be, when computed) in the same namespace. */
export function sameNamespace(a: PolicyResource, b: PolicyResource): boolean {
  const ka = namespaceKey(a);
  const kb = namespaceKey(b);
  return ka === "?" || kb === "?" || ka === kb;
}

/** The HorizontalPodAutoscalers that scale `target` (by name/kind, or by dependency during preview). */
export function autoscalersOf(resources: readonly PolicyResource[], target: StackWorkload): PolicyResource[] {
  return ofTypes(resources, K8S.HorizontalPodAutoscaler).filter((hpa) => {
    if (!sameNamespace(hpa, target.resource)) return false;
    const ref = known(() => obj(obj(hpa.props.spec).scaleTargetRef));
    if (ref === UNKNOWN) return propertyFrom(hpa, "spec", target.resource);
    const kind = known(() => ref.kind);
    const name = known(() => ref.name);
    if (name === UNKNOWN) return propertyFrom(hpa, "spec", target.resource);
    return kind === target.kind && name === target.name;
  });
}

/** `minReplicas` of an HPA (1 when unset, as Kubernetes defaults it), or undefined when unknown. */
export function hpaMinReplicas(hpa: PolicyResource): number | undefined {
  const v = known(() => obj(hpa.props.spec).minReplicas);
  if (v === UNKNOWN) return undefined;
  return typeof v === "number" ? v : 1;
}

/** `metadata.name` when known, else the Pulumi resource name. */
export function k8sName(r: PolicyResource): string {
  const name = known(() => obj(r.props.metadata).name);
  return typeof name === "string" && name !== "" ? name : r.name;
}
