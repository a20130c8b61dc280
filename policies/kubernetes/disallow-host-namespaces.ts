import { defineResourceRule } from "../lib/rule";
import { describeWorkload, onWorkloads } from "../lib/kubernetes";

/** No host namespaces. */
export const disallowHostNamespaces = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-host-namespaces",
  description: "Pods must not share the host's network, PID or IPC namespace.",
  enforcementLevel: "mandatory",
  numbers: [2],
  anchors: [
    "PSS baseline",
    "CIS 5.2.3",
    "CIS 5.2.4",
    "CIS 5.2.5",
    "CKV_K8S_17",
    "CKV_K8S_18",
    "CKV_K8S_19",
    "kube-linter host-network",
    "kube-linter host-pid",
    "kube-linter host-ipc",
    "Polaris hostNetworkSet",
  ],
  rationale:
    "A pod sharing the host's network, PID or IPC namespace sees and can signal host processes and listens on the node's interfaces, outside the isolation a pod is meant to have.",
  standard: "Pod Security Standards (baseline); CIS Kubernetes Benchmark 5.2.3, 5.2.4, 5.2.5",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (workload.podSpec[field] === true) {
        report(
          `${describeWorkload(workload)} sets \`${workload.podSpecPath}.${field}: true\`. Fix: remove \`${field}\`; expose ports through a Service instead of the host.`,
        );
      }
    }
  }),
});
