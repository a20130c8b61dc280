import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { obj } from "../lib/values";

/** `readOnlyRootFilesystem: true` (mandatory on prod). */
export const enforceReadOnlyRootFilesystem = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-read-only-root-filesystem",
  description: "Containers must mount their root filesystem read-only.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [7],
  anchors: [
    "CKV_K8S_22",
    "kube-linter no-read-only-root-fs",
    "Polaris notReadOnlyRootFilesystem",
    "kube-score container-security-context-readonlyrootfilesystem",
  ],
  rationale:
    "A writable root filesystem lets an intruder drop tools or change binaries inside the running container; read-only confines writes to declared volumes.",
  standard: "Container hardening checks: Checkov CKV_K8S_22, kube-linter, Polaris, kube-score",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const c of containersOf(workload)) {
      if (obj(c.container.securityContext).readOnlyRootFilesystem !== true) {
        report(
          `${describeWorkload(workload)}: ${c.label} has a writable root filesystem. Fix: set \`securityContext.readOnlyRootFilesystem: true\` on ${c.path} and mount an \`emptyDir\` where it must write (e.g. /tmp).`,
        );
      }
    }
  }),
});
