import { defineResourceRule } from "../lib/rule";
import { describeWorkload, onWorkloads } from "../lib/kubernetes";

/** Not the `default` service account. */
export const disallowDefaultServiceAccount = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-default-service-account",
  description: "Pods must run under their own service account, not `default`.",
  enforcementLevel: "advisory",
  numbers: [12],
  anchors: ["CIS 5.1.5", "CKV_K8S_41"],
  rationale: "Workloads on the namespace's `default` service account share its permissions; a dedicated account keeps RBAC grants per workload.",
  standard: "CIS Kubernetes Benchmark 5.1.5",
  validateResource: onWorkloads((workload, _args, report) => {
    const sa = workload.podSpec.serviceAccountName ?? workload.podSpec.serviceAccount;
    if (sa === undefined || sa === "" || sa === "default") {
      report(
        `${describeWorkload(workload)} runs as the \`default\` service account. Fix: create a ServiceAccount for it and set \`${workload.podSpecPath}.serviceAccountName\`.`,
      );
    }
  }),
});
