import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { K8S, selectorMatches, WORKLOAD_TYPES } from "../lib/kubernetes";
import { admitsEveryPeer, DIRECTIONS, effectivePolicyTypes, everyPort, rulesOf } from "../lib/network-policies";
import { k8sName, ofTypes, sameNamespace, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/**
 * Every workload isolated by NetworkPolicies in both directions (mandatory on prod): selected by
 * a policy whose effective `policyTypes` include Ingress and one that includes Egress, and no
 * selecting policy has a rule that admits every peer on every port (lib/network-policies.ts).
 */
export const missingNetworkPolicy = defineStackRule("kubernetes", {
  name: "kubernetes-missing-network-policy",
  description:
    "Every workload must be isolated by NetworkPolicies in its namespace for both ingress and egress, with no rule that admits every peer on every port.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [20, 71],
  anchors: ["CIS 5.3.2", "Polaris missingNetworkPolicy", "kube-score pod-networkpolicy"],
  rationale:
    "A pod is isolated only in the directions a NetworkPolicy selecting it declares, and one allow-all rule reopens that direction, so a selected pod can still accept traffic from every pod or reach anything a compromised process wants.",
  standard: "CIS Kubernetes Benchmark 5.3.2; Kubernetes NetworkPolicy semantics (policyTypes, additive rules)",
  appliesTo: WORKLOAD_TYPES,
  validateStack: (args, report) => {
    const policies = ofTypes(args.resources, K8S.NetworkPolicy);
    for (const w of workloadsOf(args.resources)) {
      const selecting = policies.filter((np) => {
        if (!sameNamespace(np, w.resource)) return false;
        const selector = known(() => obj(np.props.spec).podSelector);
        // A computed selector: assume it is meant for this workload if it depends on it.
        if (selector === UNKNOWN) return true;
        return selectorMatches(selector ?? {}, w.podLabels);
      });
      const what = `${w.kind} "${w.name}"`;
      if (selecting.length === 0) {
        report(
          `${what} is not selected by any NetworkPolicy, so all traffic may reach it. Fix: add a NetworkPolicy in its namespace whose \`podSelector\` matches its pod labels, with \`policyTypes: [Ingress, Egress]\` (deny by default, allow what it serves and calls).`,
          w.resource.urn,
        );
        continue;
      }
      for (const direction of DIRECTIONS) {
        const inEffect: PolicyResource[] = selecting.filter((np) => {
          const types = effectivePolicyTypes(known(() => np.props.spec));
          return types === UNKNOWN || types.includes(direction);
        });
        if (inEffect.length === 0) {
          report(
            `${what} is selected by NetworkPolicy ${selecting.map((np) => `"${k8sName(np)}"`).join(", ")}, but none lists \`${direction}\` in its effective \`policyTypes\`, so its ${direction.toLowerCase()} is not isolated. Fix: add \`${direction}\` to \`spec.policyTypes\` of a policy selecting it (a policy without \`policyTypes\` isolates only Ingress, plus Egress when it has egress rules).`,
            w.resource.urn,
          );
          continue;
        }
        for (const np of inEffect) {
          for (const { rule, path } of rulesOf(
            known(() => np.props.spec),
            direction,
          )) {
            const why = known(() => (everyPort(rule) ? admitsEveryPeer(rule, direction) : undefined));
            if (why === UNKNOWN || why === undefined) continue;
            report(
              `${what} is selected by NetworkPolicy "${k8sName(np)}", whose ${path} admits every peer on every port (${why}), so its ${direction.toLowerCase()} is not isolated. Fix: name the peers (pod/namespace selectors or ipBlocks that do not add up to every address) and the ports the rule is for.`,
              w.resource.urn,
            );
          }
        }
      }
    }
  },
});
