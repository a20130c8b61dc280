import { defineResourceRule, ofTypes } from "../lib/rule";
import { describeWorkload, REPLICATED_TYPES, workloadOf } from "../lib/kubernetes";
import { list, obj } from "../lib/values";

/** Replicas > 1 spread by anti-affinity or topology spread constraints (Deployments, StatefulSets, ReplicaSets). */
export const enforceReplicaSpreading = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-replica-spreading",
  description: "Deployments, StatefulSets and ReplicaSets with more than one replica should spread them with pod anti-affinity or topology spread constraints.",
  enforcementLevel: "advisory",
  numbers: [25],
  anchors: [
    "kube-score deployment-has-host-podantiaffinity",
    "kube-score statefulset-has-host-podantiaffinity",
    "kube-score pod-topology-spread-constraints",
    "kube-linter no-anti-affinity",
    "Polaris topologySpreadConstraint",
  ],
  rationale:
    "Replicas scheduled on the same node fail together, which defeats running several. A single replica is refused by kubernetes-configure-replicas instead.",
  standard: "kube-score pod anti-affinity and topology spread checks; kube-linter no-anti-affinity; Polaris topologySpreadConstraint",
  validateResource: ofTypes(REPLICATED_TYPES, (props, args, report) => {
    const replicas = obj(props.spec).replicas;
    if (typeof replicas !== "number" || replicas <= 1) return;
    const workload = workloadOf(args.type, props, args.name)!;
    const podSpec = workload.podSpec;
    const antiAffinity = obj(obj(podSpec.affinity).podAntiAffinity);
    const hasAntiAffinity =
      list(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution).length > 0 ||
      list(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).length > 0;
    if (!hasAntiAffinity && list(podSpec.topologySpreadConstraints).length === 0) {
      report(
        `${describeWorkload(workload)} runs ${replicas} replicas that may all land on one node. Fix: add \`topologySpreadConstraints\` (topologyKey kubernetes.io/hostname) or a preferred pod anti-affinity on its own labels.`,
      );
    }
  }),
});
