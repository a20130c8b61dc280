import { defineResourceRule, ofTypes } from "../lib/rule";
import { NAMESPACED_TYPES } from "../lib/kubernetes";
import { known, obj, str, UNKNOWN } from "../lib/values";

/** Namespace set and not `default`. */
export const disallowDefaultNamespace = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-default-namespace",
  description: "Namespaced Kubernetes objects must name a namespace other than `default`.",
  enforcementLevel: "mandatory",
  numbers: [13],
  anchors: ["CIS 5.7.4", "CKV_K8S_21", "kube-linter use-namespace"],
  rationale: "Objects in `default` escape the per-namespace RBAC, quotas and network policies and collide across products.",
  standard: "CIS Kubernetes Benchmark 5.7.4",
  validateResource: ofTypes(NAMESPACED_TYPES, (props, args, report) => {
    const ns = known(() => obj(props.metadata).namespace);
    // Computed during preview: it comes from another resource (a Namespace), not `default`.
    if (ns === UNKNOWN) return;
    const kind = args.type.split(":")[2];
    if (typeof ns === "string" && ns !== "") {
      if (ns === "default") report(`${kind} "${args.name}" is in the \`default\` namespace. Fix: set \`metadata.namespace\` to the product's namespace.`);
      return;
    }
    // No namespace on the object: the provider's default namespace applies, if it has one.
    const providerNs = str(() => args.provider?.props.namespace);
    if (providerNs && providerNs !== "default") return;
    report(
      `${kind} "${args.name}" has no namespace and would land in \`default\`. Fix: set \`metadata.namespace\` (or the Kubernetes provider's \`namespace\`).`,
    );
  }),
});
