import { defineResourceRule, ofTypes } from "../lib/rule";
import { containersOf, K8S, WORKLOAD_TYPES, workloadOf, describeWorkload } from "../lib/kubernetes";
import { list, obj } from "../lib/values";

const SSH = 22;

/** No port 22, no `externalIPs`. */
export const disallowSshAndExternalIps = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-ssh-and-external-ips",
  description: "Services and containers must not expose port 22, and Services must not set `externalIPs`.",
  enforcementLevel: "mandatory",
  numbers: [31],
  anchors: ["kube-linter ssh-port", "CVE-2020-8554"],
  rationale: "SSH into a container is an unmanaged way in, and `externalIPs` lets a Service intercept traffic for any address (CVE-2020-8554).",
  standard: "kube-linter ssh-port; CVE-2020-8554",
  validateResource: ofTypes([K8S.Service, ...WORKLOAD_TYPES], (props, args, report) => {
    if (args.type === K8S.Service) {
      const spec = obj(props.spec);
      const name = obj(props.metadata).name ?? args.name;
      list(spec.ports).forEach((p, i) => {
        const port = obj(p);
        if (port.port === SSH || port.targetPort === SSH || port.targetPort === "ssh") {
          report(`Service "${name}" exposes SSH (spec.ports[${i}]). Fix: remove the port; use \`kubectl exec\` or a bastion instead of SSH into pods.`);
        }
      });
      if (list(spec.externalIPs).length > 0) {
        report(
          `Service "${name}" sets \`spec.externalIPs\`, which can intercept traffic for those addresses (CVE-2020-8554). Fix: remove it; use a LoadBalancer or an Ingress.`,
        );
      }
      return;
    }
    const workload = workloadOf(args.type, props, args.name)!;
    for (const c of containersOf(workload)) {
      list(c.container.ports).forEach((p, i) => {
        if (obj(p).containerPort === SSH) {
          report(`${describeWorkload(workload)}: ${c.label} listens on port 22 (${c.path}.ports[${i}]). Fix: do not run an SSH server in the container.`);
        }
      });
    }
  }),
});
