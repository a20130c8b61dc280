import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { obj } from "../lib/values";

/** Cpu and memory requests, memory limit (ephemeral storage advisory). */
export const configureResourceRequests = defineResourceRule("kubernetes", {
  name: "kubernetes-configure-resource-requests",
  description: "Containers must request cpu and memory and limit memory, and should request and limit ephemeral storage.",
  enforcementLevel: "mandatory",
  numbers: [15],
  anchors: [
    "CKV_K8S_10",
    "CKV_K8S_12",
    "CKV_K8S_13",
    "kube-linter unset-cpu-requirements",
    "kube-linter unset-memory-requirements",
    "Polaris cpuRequestsMissing",
    "Polaris memoryLimitsMissing",
    "kube-score container-resources",
    "kube-score container-ephemeral-storage-request-and-limit",
  ],
  rationale: "Without requests the scheduler overcommits nodes, and without a memory limit one leaking pod gets its neighbours killed.",
  standard: "Checkov CKV_K8S_10, CKV_K8S_12, CKV_K8S_13; kube-linter; Polaris; kube-score",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const c of containersOf(workload)) {
      if (c.field === "ephemeralContainers") continue; // ephemeral containers cannot set resources
      const resources = obj(c.container.resources);
      const requests = obj(resources.requests);
      const limits = obj(resources.limits);
      const missing = [
        requests.cpu === undefined ? "requests.cpu" : undefined,
        requests.memory === undefined ? "requests.memory" : undefined,
        limits.memory === undefined ? "limits.memory" : undefined,
      ].filter((m): m is string => m !== undefined);
      if (missing.length > 0) {
        report(
          `${describeWorkload(workload)}: ${c.label} has no ${missing.join(", ")}. Fix: set them under \`${c.path}.resources\` (take the numbers from the product's seed).`,
        );
      }
      const storage = [
        requests["ephemeral-storage"] === undefined ? "requests.ephemeral-storage" : undefined,
        limits["ephemeral-storage"] === undefined ? "limits.ephemeral-storage" : undefined,
      ].filter((m): m is string => m !== undefined);
      if (storage.length > 0) {
        report.advisory(
          `${describeWorkload(workload)}: ${c.label} has no ${storage.join(", ")}. Fix: set them so a full disk evicts this pod, not its neighbours.`,
        );
      }
    }
  }),
});
