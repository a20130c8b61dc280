import { defineStackRule } from "../lib/rule";
import { K8S, REPLICATED_TYPES } from "../lib/kubernetes";
import { readConfig, integer } from "../lib/config";
import { autoscalersOf, hpaMinReplicas, k8sName, ofTypes, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = { minReplicas: 2 };

/** Prod Deployments, StatefulSets and ReplicaSets: `replicas` ≥ 2 or an HPA with `minReplicas` ≥ 2. */
export const configureReplicas = defineStackRule("kubernetes", {
  name: "kubernetes-configure-replicas",
  description: "Deployments, StatefulSets and ReplicaSets must run at least two replicas, directly or through a HorizontalPodAutoscaler's `minReplicas`.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [22],
  anchors: ["kube-score deployment-replicas", "Polaris deploymentMissingReplicas", "Polaris hpaMinAvailability"],
  rationale:
    "A single replica means downtime on every node drain, crash or failed rollout. DaemonSets run one pod per node and are not counted; bare Pods are refused by their own rule.",
  standard: "kube-score deployment-replicas; Polaris deploymentMissingReplicas, hpaMinAvailability",
  config: { minReplicas: integer("The fewest replicas a Deployment, StatefulSet or ReplicaSet may run.", DEFAULTS.minReplicas, 1) },
  appliesTo: [...REPLICATED_TYPES, K8S.HorizontalPodAutoscaler],
  validateStack: (args, report) => {
    const { minReplicas } = readConfig(args, DEFAULTS);
    const joined = new Set<string>();
    for (const w of workloadsOf(args.resources, ...REPLICATED_TYPES)) {
      const hpas = autoscalersOf(args.resources, w);
      hpas.forEach((h) => joined.add(h.urn));
      if (hpas.length > 0) {
        const mins = hpas.map(hpaMinReplicas);
        if (mins.some((m) => m === undefined || m >= minReplicas)) continue;
        report(
          `${w.kind} "${w.name}" is scaled by an HPA whose \`minReplicas\` is ${Math.max(...(mins as number[]))}. Fix: set \`spec.minReplicas: ${minReplicas}\` (or more) on the HPA.`,
          w.resource.urn,
        );
        continue;
      }
      const replicas = known(() => obj(w.resource.props.spec).replicas);
      if (replicas === UNKNOWN) continue;
      const n = typeof replicas === "number" ? replicas : 1;
      if (n < minReplicas) {
        report(
          `${w.kind} "${w.name}" runs ${n} replica(s); one node or pod failure takes it down. Fix: set \`spec.replicas: ${minReplicas}\` or more, or scale it with a HorizontalPodAutoscaler whose \`minReplicas\` is ${minReplicas}+.`,
          w.resource.urn,
        );
      }
    }
    // An HPA whose target is not declared here (or not yet joinable) still sets the floor of what it scales.
    for (const hpa of ofTypes(args.resources, K8S.HorizontalPodAutoscaler)) {
      if (joined.has(hpa.urn)) continue;
      const min = hpaMinReplicas(hpa);
      if (min !== undefined && min < minReplicas) {
        report(
          `HorizontalPodAutoscaler "${k8sName(hpa)}" lets its target scale down to ${min} replica(s). Fix: set \`spec.minReplicas: ${minReplicas}\` (or more).`,
          hpa.urn,
        );
      }
    }
  },
});
