import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { obj } from "../lib/values";

const ALLOWED = ["RuntimeDefault", "Localhost"];

/** Seccomp `RuntimeDefault` or `Localhost`. */
export const enforceSeccompProfile = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-seccomp-profile",
  description: "Pods must run with the `RuntimeDefault` or a `Localhost` seccomp profile.",
  enforcementLevel: "mandatory",
  numbers: [6],
  anchors: ["PSS restricted", "PSS baseline", "CIS 5.7.2", "CKV_K8S_31", "kube-score container-seccomp-profile"],
  rationale: "Without a seccomp profile a container may call every system call of the shared kernel, including those kernel exploits rely on.",
  standard: "Pod Security Standards (restricted, baseline); CIS Kubernetes Benchmark 5.7.2",
  validateResource: onWorkloads((workload, _args, report) => {
    const podType = obj(obj(workload.podSpec.securityContext).seccompProfile).type;
    const where = describeWorkload(workload);
    if (podType !== undefined && !ALLOWED.includes(podType)) {
      report(
        `${where} sets seccomp profile "${podType}" on the pod. Fix: set \`${workload.podSpecPath}.securityContext.seccompProfile.type: RuntimeDefault\`.`,
      );
    }
    for (const c of containersOf(workload)) {
      const type = obj(obj(c.container.securityContext).seccompProfile).type;
      if (type !== undefined && !ALLOWED.includes(type)) {
        report(`${where}: ${c.label} sets seccomp profile "${type}". Fix: remove it or use RuntimeDefault.`);
      } else if (type === undefined && podType === undefined) {
        report(`${where}: ${c.label} has no seccomp profile. Fix: set \`${workload.podSpecPath}.securityContext.seccompProfile.type: RuntimeDefault\`.`);
      }
    }
  }),
});
