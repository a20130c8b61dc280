import { defineStackRule } from "../lib/rule";
import { K8S, pdbBlockingSetting, pdbRequiredAvailable, REPLICATED_TYPES, selectorMatches } from "../lib/kubernetes";
import { autoscalersOf, hpaMinReplicas, k8sName, ofTypes, sameNamespace, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/** A PDB allows disruption (not `maxUnavailable: 0`, `minAvailable` < replicas), computed as the disruption controller does. */
export const disallowBlockingPodDisruptionBudget = defineStackRule("kubernetes", {
  name: "kubernetes-disallow-blocking-pod-disruption-budget",
  description: "PodDisruptionBudgets must allow at least one pod to be evicted.",
  enforcementLevel: "mandatory",
  numbers: [24],
  anchors: [
    "Polaris pdbDisruptionsIsZero",
    "Polaris pdbMinAvailableGreaterThanHPAMinReplicas",
    "kube-linter pdb-max-unavailable",
    "kube-linter pdb-min-available",
    "kube-score poddisruptionbudget-has-policy",
  ],
  rationale: "A budget that allows no eviction blocks node drains and cluster upgrades indefinitely.",
  standard:
    "Polaris pdbDisruptionsIsZero; kube-linter pdb-max-unavailable, pdb-min-available; kube-score. Percentages are scaled and rounded up as the disruption controller does",
  appliesTo: [K8S.PodDisruptionBudget],
  validateStack: (args, report) => {
    const workloads = workloadsOf(args.resources, ...REPLICATED_TYPES);
    for (const pdb of ofTypes(args.resources, K8S.PodDisruptionBudget)) {
      const spec = known(() => ({ ...obj(pdb.props.spec) }));
      if (spec === UNKNOWN) continue;
      const where = `PodDisruptionBudget "${k8sName(pdb)}"`;
      const blocking = pdbBlockingSetting(spec);
      if (blocking) {
        report(`${where} sets ${blocking}, which blocks every node drain. Fix: use \`maxUnavailable: 1\`.`, pdb.urn);
        continue;
      }
      if (spec.minAvailable === undefined) continue;
      for (const w of workloads) {
        if (!sameNamespace(pdb, w.resource) || !selectorMatches(spec.selector, w.podLabels)) continue;
        const hpaMins = autoscalersOf(args.resources, w).map(hpaMinReplicas);
        const replicasValue = known(() => obj(w.resource.props.spec).replicas);
        if (replicasValue === UNKNOWN || hpaMins.includes(undefined)) continue;
        // With an HPA the fewest pods there may be is its minReplicas (1 when unset).
        const replicas = hpaMins.length > 0 ? Math.min(...(hpaMins as number[])) : typeof replicasValue === "number" ? replicasValue : 1;
        const required = pdbRequiredAvailable(spec, replicas);
        if (required !== undefined && required >= replicas) {
          report(
            `${where} requires ${required} available pods but ${w.kind} "${w.name}" runs ${replicas} (\`minAvailable: ${spec.minAvailable}\`), so no pod can ever be evicted. Fix: use \`maxUnavailable: 1\` or a \`minAvailable\` below ${replicas}.`,
            pdb.urn,
          );
        }
      }
    }
  },
});
