import { defineResourceRule, ofTypes } from "../lib/rule";
import { containersOf, describeWorkload, LONG_RUNNING_TYPES, workloadOf } from "../lib/kubernetes";
import { stableJson } from "../lib/values";

/** Readiness and liveness probes on every long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod), not identical. */
export const configureHealthProbes = defineResourceRule("kubernetes", {
  name: "kubernetes-configure-health-probes",
  description:
    "Every container of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod) must have a readiness and a liveness probe, and the two must differ.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [16],
  anchors: [
    "CKV_K8S_8",
    "CKV_K8S_9",
    "kube-linter no-liveness-probe",
    "kube-linter no-readiness-probe",
    "Polaris livenessProbeMissing",
    "Polaris readinessProbeMissing",
    "kube-score pod-probes",
  ],
  rationale:
    "Without readiness a pod gets traffic before it can serve; without liveness a hung process is never restarted; identical probes restart pods that are only busy. Jobs and CronJobs run to completion and are not probed.",
  standard: "Checkov CKV_K8S_8, CKV_K8S_9; kube-linter; Polaris; kube-score pod-probes",
  validateResource: ofTypes(LONG_RUNNING_TYPES, (props, args, report) => {
    const workload = workloadOf(args.type, props, args.name)!;
    // Init containers run to completion and ephemeral containers cannot have probes.
    for (const c of containersOf(workload).filter((c) => c.field === "containers")) {
      const { livenessProbe, readinessProbe } = c.container;
      const where = `${describeWorkload(workload)}: ${c.label}`;
      if (!readinessProbe) report(`${where} has no readiness probe. Fix: add \`readinessProbe\` (e.g. httpGet on the ready endpoint) to ${c.path}.`);
      if (!livenessProbe) report(`${where} has no liveness probe. Fix: add \`livenessProbe\` (e.g. httpGet /health) to ${c.path}.`);
      if (livenessProbe && readinessProbe && stableJson(livenessProbe) === stableJson(readinessProbe)) {
        report(
          `${where} uses identical liveness and readiness probes, so a slow dependency restarts the pod. Fix: give readiness its own endpoint or timings.`,
        );
      }
    }
  }),
});
