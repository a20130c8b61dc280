import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { obj } from "../lib/values";

/** `allowPrivilegeEscalation: false`. */
export const disallowPrivilegeEscalation = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-privilege-escalation",
  description: "Every container must set `securityContext.allowPrivilegeEscalation: false`.",
  enforcementLevel: "mandatory",
  numbers: [3],
  anchors: ["PSS restricted", "CIS 5.2.6", "CKV_K8S_20", "kube-linter privilege-escalation-container", "Polaris privilegeEscalationAllowed"],
  rationale: "Without it a setuid binary or file capability in the image lets the process gain more privileges than it started with.",
  standard: "Pod Security Standards (restricted); CIS Kubernetes Benchmark 5.2.6",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const c of containersOf(workload)) {
      if (obj(c.container.securityContext).allowPrivilegeEscalation !== false) {
        report(
          `${describeWorkload(workload)}: ${c.label} does not set \`allowPrivilegeEscalation: false\`. Fix: add \`securityContext: { allowPrivilegeEscalation: false }\` to ${c.path}.`,
        );
      }
    }
  }),
});
