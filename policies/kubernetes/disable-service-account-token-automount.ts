import { defineResourceRule } from "../lib/rule";
import { describeWorkload, onWorkloads } from "../lib/kubernetes";
import { readConfig, stringList } from "../lib/config";
import { obj } from "../lib/values";

const DEFAULTS = { allowedWorkloads: [] as string[] };

/** `automountServiceAccountToken: false` unless allow-listed. */
export const disableServiceAccountTokenAutomount = defineResourceRule("kubernetes", {
  name: "kubernetes-disable-service-account-token-automount",
  description: "Pods must not mount a service account token unless the workload is allow-listed.",
  enforcementLevel: "advisory",
  numbers: [11],
  anchors: ["CIS 5.1.6", "CKV_K8S_38", "Polaris automountServiceAccountToken"],
  rationale: "A mounted service account token lets anyone who runs code in the pod call the Kubernetes API as that account; most workloads never need it.",
  standard: "CIS Kubernetes Benchmark 5.1.6",
  config: {
    allowedWorkloads: stringList("Workloads that may mount a token, as `name` or `namespace/name`.", DEFAULTS.allowedWorkloads),
  },
  validateResource: onWorkloads((workload, args, report) => {
    const { allowedWorkloads } = readConfig(args, DEFAULTS);
    const ns = obj(workload.metadata).namespace;
    if (allowedWorkloads.includes(workload.name) || allowedWorkloads.includes(`${ns}/${workload.name}`)) return;
    if (workload.podSpec.automountServiceAccountToken !== false) {
      report(
        `${describeWorkload(workload)} mounts a service account token. Fix: set \`${workload.podSpecPath}.automountServiceAccountToken: false\`, or allow-list "${ns ?? ""}/${workload.name}" in this rule's \`allowedWorkloads\` if it calls the Kubernetes API.`,
      );
    }
  }),
});
