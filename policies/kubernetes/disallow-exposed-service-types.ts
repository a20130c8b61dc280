import { defineResourceRule, ofType } from "../lib/rule";
import { Service } from "../lib/resource-types";

const OPEN_RANGES = ["0.0.0.0/0", "::/0"];

/** ClusterIP by default, no NodePort, LoadBalancer only with source ranges. */
export const disallowExposedServiceTypes = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-exposed-service-types",
  description: "Services must be ClusterIP, or LoadBalancer restricted by source ranges, never NodePort.",
  enforcementLevel: "mandatory",
  numbers: [30],
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
      if (ranges.length === 0 || ranges.some((r) => OPEN_RANGES.includes(r))) {
        report(
          `Service "${name}" is a LoadBalancer open to the internet. Fix: set \`spec.loadBalancerSourceRanges\` to the CIDRs that may reach it (not 0.0.0.0/0), or use ClusterIP behind an Ingress.`,
        );
      }
    }
  }),
});
