import { defineResourceRule, ofType } from "../lib/rule";
import { Pod } from "../lib/resource-types";

/** No bare `Pod` resources (mandatory on prod). */
export const disallowBarePods = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-bare-pods",
  description: "Pods must be managed by a controller such as a Deployment or CronJob, never declared bare.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [19],
  anchors: ["Kubernetes configuration best practices: naked Pods"],
  rationale: "A bare Pod is not recreated when its node fails or is drained; a controller recreates it.",
  standard: "Kubernetes configuration best practices (naked Pods)",
  validateResource: ofType(Pod, (_pod, args, report) => {
    report(
      `Pod "${args.name}" is declared bare: nothing reschedules it when its node fails. Fix: declare a Deployment (or a Job/CronJob for batch work) with this pod as its template.`,
    );
  }),
});
