import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { list, obj } from "../lib/values";

const ALLOWED_ADD = ["NET_BIND_SERVICE"];

/** Capabilities drop `ALL`, add at most `NET_BIND_SERVICE`. */
export const enforceDropAllCapabilities = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-drop-all-capabilities",
  description: "Containers must drop all Linux capabilities and add back at most `NET_BIND_SERVICE`.",
  enforcementLevel: "mandatory",
  numbers: [5],
  anchors: [
    "PSS restricted",
    "PSS baseline",
    "CIS 5.2.8",
    "CIS 5.2.9",
    "CIS 5.2.10",
    "CKV_K8S_25",
    "CKV_K8S_28",
    "CKV_K8S_37",
    "CKV_K8S_39",
    "kube-linter drop-net-raw-capability",
    "Polaris dangerousCapabilities",
  ],
  rationale:
    "Default capabilities such as `NET_RAW` are rarely needed by an application and widen what an intruder can do (spoof packets, change file ownership).",
  standard: "Pod Security Standards (restricted, baseline); CIS Kubernetes Benchmark 5.2.8, 5.2.9, 5.2.10",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const c of containersOf(workload)) {
      const caps = obj(obj(c.container.securityContext).capabilities);
      if (!list<string>(caps.drop).includes("ALL")) {
        report(
          `${describeWorkload(workload)}: ${c.label} does not drop all capabilities. Fix: set \`securityContext.capabilities.drop: ["ALL"]\` on ${c.path}.`,
        );
      }
      const extra = list<string>(caps.add).filter((cap) => !ALLOWED_ADD.includes(String(cap).replace(/^CAP_/, "")));
      if (extra.length > 0) {
        report(
          `${describeWorkload(workload)}: ${c.label} adds ${extra.join(", ")}. Fix: remove them from \`capabilities.add\`; only NET_BIND_SERVICE may be added.`,
        );
      }
    }
  }),
});
