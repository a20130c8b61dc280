import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { obj } from "../lib/values";

/** No privileged containers. */
export const disallowPrivilegedContainers = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-privileged-containers",
  description: "Containers and init containers must not run privileged.",
  enforcementLevel: "mandatory",
  numbers: [1],
  anchors: [
    "PSS baseline",
    "CIS 5.2.2",
    "CKV_K8S_16",
    "kube-linter privileged-container",
    "Polaris runAsPrivileged",
    "kube-score container-security-context-privileged",
  ],
  rationale: "A privileged container has every capability and the host's devices, so whoever controls the process controls the node.",
  standard: "Pod Security Standards (baseline); CIS Kubernetes Benchmark 5.2.2",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const c of containersOf(workload)) {
      if (obj(c.container.securityContext).privileged === true) {
        report(
          `${describeWorkload(workload)}: ${c.label} sets \`${c.path}.securityContext.privileged: true\`. Fix: remove it (or set false); grant only the capability the process needs.`,
        );
      }
    }
  }),
});
