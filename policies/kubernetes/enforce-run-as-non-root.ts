import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { obj } from "../lib/values";

/** `runAsNonRoot: true`, `runAsUser` ≠ 0. */
export const enforceRunAsNonRoot = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-run-as-non-root",
  description: "Containers must run with `runAsNonRoot: true` and never as user 0.",
  enforcementLevel: "mandatory",
  numbers: [4],
  anchors: [
    "PSS restricted",
    "CIS 5.2.7",
    "CKV_K8S_23",
    "CKV_K8S_40",
    "kube-linter run-as-non-root",
    "Polaris runAsRootAllowed",
    "kube-score container-security-context-user-group-id",
  ],
  rationale: "A process running as user 0 turns any container escape or writable host path into root access on the node.",
  standard: "Pod Security Standards (restricted); CIS Kubernetes Benchmark 5.2.7",
  validateResource: onWorkloads((workload, _args, report) => {
    const pod = obj(workload.podSpec.securityContext);
    const where = describeWorkload(workload);
    if (pod.runAsUser === 0) {
      report(`${where} sets \`${workload.podSpecPath}.securityContext.runAsUser: 0\`. Fix: use a non-zero UID (e.g. 10001) that the image owns.`);
    }
    for (const c of containersOf(workload)) {
      const sc = obj(c.container.securityContext);
      const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      if (nonRoot !== true) {
        report(
          `${where}: ${c.label} may run as root (\`runAsNonRoot\` is not true for it). Fix: set \`securityContext.runAsNonRoot: true\` on the pod spec or on ${c.path}.`,
        );
      }
      if (sc.runAsUser === 0) {
        report(`${where}: ${c.label} sets \`runAsUser: 0\`. Fix: use a non-zero UID (e.g. 10001).`);
      }
    }
  }),
});
