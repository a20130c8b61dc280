import { defineStackRule } from "../lib/rule";
import { K8S } from "../lib/kubernetes";
import { readConfig, integer } from "../lib/config";
import { autoscalersOf, hpaMinReplicas, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = { minReplicas: 2 };

/** Prod Deployments: `replicas` ≥ 2 or an HPA with `minReplicas` ≥ 2. */
export const configureReplicas = defineStackRule("kubernetes", {
  name: "kubernetes-configure-replicas",
  description: "Deployments must run at least two replicas, directly or through a HorizontalPodAutoscaler's `minReplicas`.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [22],
  anchors: ["kube-score deployment-replicas", "Polaris deploymentMissingReplicas", "Polaris hpaMinAvailability"],
  rationale: "A single replica means downtime on every node drain, crash or failed rollout.",
  standard: "kube-score deployment-replicas; Polaris deploymentMissingReplicas, hpaMinAvailability",
  config: { minReplicas: integer("The fewest replicas a Deployment may run.", DEFAULTS.minReplicas, 1) },
  appliesTo: [K8S.Deployment],
  validateStack: (args, report) => {
    const { minReplicas } = readConfig(args, DEFAULTS);
    for (const d of workloadsOf(args.resources, K8S.Deployment)) {
      const hpas = autoscalersOf(args.resources, d);
      if (hpas.length > 0) {
        const mins = hpas.map(hpaMinReplicas);
        if (mins.some((m) => m === undefined || m >= minReplicas)) continue;
        report(
          `Deployment "${d.name}" is scaled by an HPA whose \`minReplicas\` is ${Math.max(...(mins as number[]))}. Fix: set \`spec.minReplicas: ${minReplicas}\` (or more) on the HPA.`,
          d.resource.urn,
        );
        continue;
      }
      const replicas = known(() => obj(d.resource.props.spec).replicas);
      if (replicas === UNKNOWN) continue;
      const n = typeof replicas === "number" ? replicas : 1;
      if (n < minReplicas) {
        report(
          `Deployment "${d.name}" runs ${n} replica(s); one node or pod failure takes it down. Fix: set \`spec.replicas: ${minReplicas}\` or more, or scale it with a HorizontalPodAutoscaler whose \`minReplicas\` is ${minReplicas}+.`,
          d.resource.urn,
        );
      }
    }
  },
});
