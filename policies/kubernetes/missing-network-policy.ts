import { defineStackRule } from "../lib/rule";
import { K8S, selectorMatches, WORKLOAD_TYPES } from "../lib/kubernetes";
import { ofTypes, sameNamespace, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/** Every workload selected by a NetworkPolicy (mandatory on prod). */
export const missingNetworkPolicy = defineStackRule("kubernetes", {
  name: "kubernetes-missing-network-policy",
  description: "Every workload must be selected by a NetworkPolicy in its namespace.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [20],
  anchors: ["CIS 5.3.2", "Polaris missingNetworkPolicy", "kube-score pod-networkpolicy"],
  rationale: "A pod no NetworkPolicy selects accepts traffic from every pod in the cluster, so one compromised workload reaches all others.",
  standard: "CIS Kubernetes Benchmark 5.3.2",
  appliesTo: WORKLOAD_TYPES,
  validateStack: (args, report) => {
    const policies = ofTypes(args.resources, K8S.NetworkPolicy);
    for (const w of workloadsOf(args.resources)) {
      const covered = policies.some((np) => {
        if (!sameNamespace(np, w.resource)) return false;
        const selector = known(() => obj(np.props.spec).podSelector);
        // A computed selector: assume it is meant for this workload if it depends on it.
        if (selector === UNKNOWN) return true;
        return selectorMatches(selector ?? {}, w.podLabels);
      });
      if (!covered) {
        report(
          `${w.kind} "${w.name}" is not selected by any NetworkPolicy, so all traffic may reach it. Fix: add a NetworkPolicy in its namespace whose \`podSelector\` matches its pod labels (deny by default, allow what it serves).`,
          w.resource.urn,
        );
      }
    }
  },
});
