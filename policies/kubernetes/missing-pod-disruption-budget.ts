import { defineStackRule } from "../lib/rule";
import { K8S, REPLICATED_TYPES, selectorMatches } from "../lib/kubernetes";
import { ofTypes, sameNamespace, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/** Prod Deployments, StatefulSets and ReplicaSets covered by a PodDisruptionBudget whose selector matches. */
export const missingPodDisruptionBudget = defineStackRule("kubernetes", {
  name: "kubernetes-missing-pod-disruption-budget",
  description: "Every Deployment, StatefulSet and ReplicaSet must be covered by a PodDisruptionBudget whose selector matches its pods.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [23],
  anchors: ["kube-score deployment-has-poddisruptionbudget", "kube-score statefulset-has-poddisruptionbudget", "Polaris missingPodDisruptionBudget"],
  rationale:
    "Without a PodDisruptionBudget a node drain or upgrade may evict every replica at once. DaemonSet pods are skipped by drains, so DaemonSets need none.",
  standard: "kube-score deployment-has-poddisruptionbudget, statefulset-has-poddisruptionbudget; Polaris missingPodDisruptionBudget",
  appliesTo: REPLICATED_TYPES,
  validateStack: (args, report) => {
    const pdbs = ofTypes(args.resources, K8S.PodDisruptionBudget);
    for (const w of workloadsOf(args.resources, ...REPLICATED_TYPES)) {
      const covered = pdbs.some((pdb) => {
        if (!sameNamespace(pdb, w.resource)) return false;
        const selector = known(() => obj(pdb.props.spec).selector);
        return selector === UNKNOWN || selectorMatches(selector, w.podLabels);
      });
      if (!covered) {
        report(
          `${w.kind} "${w.name}" has no PodDisruptionBudget, so a node drain may evict all its pods at once. Fix: add a policy/v1 PodDisruptionBudget in its namespace with \`selector.matchLabels\` equal to its pod labels and \`maxUnavailable: 1\`.`,
          w.resource.urn,
        );
      }
    }
  },
});
