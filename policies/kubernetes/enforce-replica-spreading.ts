import { defineResourceRule, ofType } from "../lib/rule";
import { Deployment } from "../lib/resource-types";
import { list, obj } from "../lib/values";

/** Replicas > 1 spread by anti-affinity or topology spread constraints. */
export const enforceReplicaSpreading = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-replica-spreading",
  description: "Deployments with more than one replica should spread them with pod anti-affinity or topology spread constraints.",
  enforcementLevel: "advisory",
  numbers: [25],
  anchors: [
    "kube-score deployment-has-host-podantiaffinity",
    "kube-score pod-topology-spread-constraints",
    "kube-linter no-anti-affinity",
    "Polaris topologySpreadConstraint",
  ],
  rationale: "Replicas scheduled on the same node fail together, which defeats running several.",
  standard: "kube-score pod anti-affinity and topology spread checks; kube-linter no-anti-affinity; Polaris topologySpreadConstraint",
  validateResource: ofType(Deployment, (deployment, args, report) => {
    const replicas = deployment.spec?.replicas;
    if (typeof replicas !== "number" || replicas <= 1) return;
    const podSpec = obj(obj(obj(deployment.spec).template).spec);
    const antiAffinity = obj(obj(podSpec.affinity).podAntiAffinity);
    const hasAntiAffinity =
      list(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution).length > 0 ||
      list(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).length > 0;
    if (!hasAntiAffinity && list(podSpec.topologySpreadConstraints).length === 0) {
      const name = deployment.metadata?.name ?? args.name;
      report(
        `Deployment "${name}" runs ${replicas} replicas that may all land on one node. Fix: add \`topologySpreadConstraints\` (topologyKey kubernetes.io/hostname) or a preferred pod anti-affinity on its own labels.`,
      );
    }
  }),
});
