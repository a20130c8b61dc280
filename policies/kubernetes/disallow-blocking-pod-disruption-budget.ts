import { defineStackRule } from "../lib/rule";
import { K8S, selectorMatches } from "../lib/kubernetes";
import { autoscalersOf, hpaMinReplicas, k8sName, ofTypes, sameNamespace, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/** A PDB allows disruption (not `maxUnavailable: 0`, `minAvailable` < replicas). */
export const disallowBlockingPodDisruptionBudget = defineStackRule("kubernetes", {
  name: "kubernetes-disallow-blocking-pod-disruption-budget",
  description: "PodDisruptionBudgets must allow at least one pod to be evicted.",
  enforcementLevel: "mandatory",
  numbers: [24],
  anchors: ["Polaris pdbDisruptionsIsZero", "kube-linter pdb-max-unavailable", "kube-linter pdb-min-available", "kube-score poddisruptionbudget-has-policy"],
  rationale: "A budget that allows no eviction blocks node drains and cluster upgrades indefinitely.",
  standard: "Polaris pdbDisruptionsIsZero; kube-linter pdb-max-unavailable, pdb-min-available; kube-score",
  appliesTo: [K8S.PodDisruptionBudget],
  validateStack: (args, report) => {
    const deployments = workloadsOf(args.resources, K8S.Deployment);
    for (const pdb of ofTypes(args.resources, K8S.PodDisruptionBudget)) {
      const spec = known(() => ({ ...obj(pdb.props.spec) }));
      if (spec === UNKNOWN) continue;
      const { maxUnavailable, minAvailable } = spec;
      const where = `PodDisruptionBudget "${k8sName(pdb)}"`;
      if (maxUnavailable === 0 || maxUnavailable === "0%") {
        report(`${where} sets \`maxUnavailable: ${maxUnavailable}\`, which blocks every node drain. Fix: use \`maxUnavailable: 1\`.`, pdb.urn);
        continue;
      }
      if (minAvailable === "100%") {
        report(`${where} sets \`minAvailable: 100%\`, which blocks every node drain. Fix: use \`maxUnavailable: 1\`.`, pdb.urn);
        continue;
      }
      if (typeof minAvailable !== "number") continue;
      for (const d of deployments) {
        if (!sameNamespace(pdb, d.resource) || !selectorMatches(spec.selector, d.podLabels)) continue;
        const hpaMins = autoscalersOf(args.resources, d).map(hpaMinReplicas);
        const replicasValue = known(() => obj(d.resource.props.spec).replicas);
        if (replicasValue === UNKNOWN || hpaMins.includes(undefined)) continue;
        const replicas = hpaMins.length > 0 ? Math.min(...(hpaMins as number[])) : typeof replicasValue === "number" ? replicasValue : 1;
        if (minAvailable >= replicas) {
          report(
            `${where} requires ${minAvailable} available pods but Deployment "${d.name}" runs ${replicas}, so no pod can ever be evicted. Fix: use \`maxUnavailable: 1\` or a \`minAvailable\` below ${replicas}.`,
            pdb.urn,
          );
        }
      }
    }
  },
});
