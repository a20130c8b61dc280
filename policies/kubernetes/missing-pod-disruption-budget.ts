import { defineStackRule } from "../lib/rule";
import { K8S, selectorMatches } from "../lib/kubernetes";
import { ofTypes, sameNamespace, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/** Prod Deployments covered by a PodDisruptionBudget whose selector matches. */
export const missingPodDisruptionBudget = defineStackRule("kubernetes", {
  name: "kubernetes-missing-pod-disruption-budget",
  description: "Every Deployment must be covered by a PodDisruptionBudget whose selector matches its pods.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [23],
  anchors: ["kube-score deployment-has-poddisruptionbudget", "Polaris missingPodDisruptionBudget"],
  rationale: "Without a PodDisruptionBudget a node drain or upgrade may evict every replica at once.",
  standard: "kube-score deployment-has-poddisruptionbudget; Polaris missingPodDisruptionBudget",
  appliesTo: [K8S.Deployment],
  validateStack: (args, report) => {
    const pdbs = ofTypes(args.resources, K8S.PodDisruptionBudget);
    for (const d of workloadsOf(args.resources, K8S.Deployment)) {
      const covered = pdbs.some((pdb) => {
        if (!sameNamespace(pdb, d.resource)) return false;
        const selector = known(() => obj(pdb.props.spec).selector);
        return selector === UNKNOWN || selectorMatches(selector, d.podLabels);
      });
      if (!covered) {
        report(
          `Deployment "${d.name}" has no PodDisruptionBudget, so a node drain may evict all its pods at once. Fix: add a policy/v1 PodDisruptionBudget in its namespace with \`selector.matchLabels\` equal to its pod labels and \`maxUnavailable: 1\`.`,
          d.resource.urn,
        );
      }
    }
  },
});
