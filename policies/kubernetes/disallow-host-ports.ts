import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { list, obj } from "../lib/values";

/** No `hostPort`. */
export const disallowHostPorts = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-host-ports",
  description: "Containers must not bind ports on the node with `hostPort`.",
  enforcementLevel: "mandatory",
  numbers: [9],
  anchors: ["PSS baseline", "CIS 5.2.13", "CKV_K8S_26", "Polaris hostPortSet"],
  rationale: "A hostPort binds the pod to a port on the node's own address, around Services and NetworkPolicies.",
  standard: "Pod Security Standards (baseline); CIS Kubernetes Benchmark 5.2.13",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const c of containersOf(workload)) {
      list(c.container.ports).forEach((p, i) => {
        const hostPort = obj(p).hostPort;
        if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
          report(
            `${describeWorkload(workload)}: ${c.label} sets \`${c.path}.ports[${i}].hostPort: ${hostPort}\`. Fix: remove \`hostPort\` and expose the port through a Service.`,
          );
        }
      });
    }
  }),
});
