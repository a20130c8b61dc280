import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { describeWorkload, K8S, WORKLOAD_TYPES } from "../lib/kubernetes";
import { readConfig, stringList } from "../lib/config";
import { k8sName, ofTypes, propertyFrom, sameNamespace, workloadsOf, type StackWorkload } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = { allowedWorkloads: [] as string[] };

/**
 * The ServiceAccounts of the stack a workload's pods may run as: the one named by
 * `serviceAccountName` (legacy `serviceAccount`; `default` when unset) in its namespace, or,
 * while that name is computed during preview, the ServiceAccounts its `spec` came from.
 */
function serviceAccountsOf(w: StackWorkload, accounts: readonly PolicyResource[]): PolicyResource[] {
  const name = known(() => w.podSpec.serviceAccountName ?? w.podSpec.serviceAccount ?? "default");
  if (name === UNKNOWN) return accounts.filter((sa) => propertyFrom(w.resource, "spec", sa));
  return accounts.filter((sa) => sameNamespace(sa, w.resource) && k8sName(sa) === name);
}

/**
 * `automountServiceAccountToken: false` unless allow-listed. As the kubelet decides: the pod
 * spec's setting wins; when the pod leaves it unset, its ServiceAccount's setting applies.
 */
export const disableServiceAccountTokenAutomount = defineStackRule("kubernetes", {
  name: "kubernetes-disable-service-account-token-automount",
  description: "Pods must not mount a service account token (set on the pod spec or on its ServiceAccount) unless the workload is allow-listed.",
  enforcementLevel: "advisory",
  numbers: [11],
  anchors: ["CIS 5.1.6", "CKV_K8S_38", "Polaris automountServiceAccountToken"],
  rationale: "A mounted service account token lets anyone who runs code in the pod call the Kubernetes API as that account; most workloads never need it.",
  standard: "CIS Kubernetes Benchmark 5.1.6 (the pod's `automountServiceAccountToken` overrides its ServiceAccount's)",
  config: {
    allowedWorkloads: stringList("Workloads that may mount a token, as `name` or `namespace/name`.", DEFAULTS.allowedWorkloads),
  },
  appliesTo: WORKLOAD_TYPES,
  validateStack: (args, report) => {
    const { allowedWorkloads } = readConfig(args, DEFAULTS);
    const accounts = ofTypes(args.resources, K8S.ServiceAccount);
    for (const w of workloadsOf(args.resources, ...WORKLOAD_TYPES)) {
      const ns = obj(w.metadata).namespace;
      if (allowedWorkloads.includes(w.name) || allowedWorkloads.includes(`${ns}/${w.name}`)) continue;
      const onPod = known(() => w.podSpec.automountServiceAccountToken);
      if (onPod === false || onPod === UNKNOWN) continue;
      const fix = `Fix: set \`${w.podSpecPath}.automountServiceAccountToken: false\`, or allow-list "${ns ?? ""}/${w.name}" in this rule's \`allowedWorkloads\` if it calls the Kubernetes API.`;
      if (onPod === true) {
        report(
          `${describeWorkload(w)} mounts a service account token (\`automountServiceAccountToken: true\` on the pod overrides its ServiceAccount). ${fix}`,
          w.resource.urn,
        );
        continue;
      }
      const sas = serviceAccountsOf(w, accounts);
      const saSettings = sas.map((sa) => known(() => sa.props.automountServiceAccountToken));
      if (sas.length > 0 && saSettings.every((v) => v === false || v === UNKNOWN)) continue;
      const why =
        sas.length > 0
          ? `its ServiceAccount "${k8sName(sas[0])}" does not set \`automountServiceAccountToken: false\``
          : "neither the pod nor a ServiceAccount of this stack disables it";
      report(`${describeWorkload(w)} mounts a service account token: ${why}. ${fix}`, w.resource.urn);
    }
  },
});
