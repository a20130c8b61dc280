import { defineResourceRule, ofType } from "../lib/rule";
import { Service } from "../lib/resource-types";
import { describeOpen, openness } from "../lib/network";

/** ClusterIP by default, no NodePort, LoadBalancer only with source ranges. */
export const disallowExposedServiceTypes = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-exposed-service-types",
  description: "Services must be ClusterIP, or LoadBalancer restricted by source ranges, never NodePort.",
  enforcementLevel: "mandatory",
  numbers: [30, 71],
  anchors: ["kube-linter exposed-services", "kube-score service-type"],
  rationale: "A NodePort opens a port on every node and an unrestricted LoadBalancer puts the service on the internet.",
  standard: "kube-linter exposed-services; kube-score service-type",
  validateResource: ofType(Service, (service, args, report) => {
    const name = service.metadata?.name ?? args.name;
    const type = service.spec?.type ?? "ClusterIP";
    if (type === "NodePort") {
      report(
        `Service "${name}" is NodePort, which opens a port on every node. Fix: use ClusterIP behind an Ingress, or a LoadBalancer with \`loadBalancerSourceRanges\`.`,
      );
    } else if (type === "LoadBalancer") {
      const ranges = service.spec?.loadBalancerSourceRanges ?? [];
      // Computed, not matched: ranges that together cover every public address are as open as 0.0.0.0/0.
      const { openFamilies, invalid } = openness(ranges);
      if (ranges.length === 0 || openFamilies.length > 0) {
        const why = ranges.length === 0 ? "has no source ranges" : `admits ${describeOpen(openFamilies)} through \`${ranges.join(", ")}\``;
        report(
          `Service "${name}" is a LoadBalancer open to the internet: it ${why}. Fix: set \`spec.loadBalancerSourceRanges\` to the CIDRs that may reach it (not 0.0.0.0/0 or ranges that add up to it), or use ClusterIP behind an Ingress.`,
        );
      }
      if (invalid.length > 0) {
        report(
          `Service "${name}" lists source ranges that are not CIDRs: ${invalid.join(", ")}. Fix: write each as \`address/prefix\`, e.g. \`203.0.113.0/24\`.`,
        );
      }
    }
  }),
});
