import { defineResourceRule, ofType } from "../lib/rule";
import { CronJob } from "../lib/resource-types";
import { obj } from "../lib/values";

/** CronJob hygiene: restartPolicy, history limits. */
export const configureCronjobHygiene = defineResourceRule("kubernetes", {
  name: "kubernetes-configure-cronjob-hygiene",
  description: "CronJobs should set their pods' restartPolicy to OnFailure or Never and set both job history limits.",
  enforcementLevel: "advisory",
  numbers: [28],
  anchors: ["kube-score cronjob-restartpolicy", "kube-linter job-ttl-seconds-after-finished"],
  rationale: "Without history limits finished Jobs and their pods pile up, and a wrong restartPolicy reruns failing pods without bound.",
  standard: "kube-score cronjob-restartpolicy; kube-linter job-ttl-seconds-after-finished",
  validateResource: ofType(CronJob, (cronJob, args, report) => {
    const name = cronJob.metadata?.name ?? args.name;
    const spec = obj(cronJob.spec);
    const restartPolicy = obj(obj(obj(obj(spec.jobTemplate).spec).template).spec).restartPolicy;
    if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") {
      report(
        `CronJob "${name}" does not set its pods' \`restartPolicy\` to OnFailure or Never. Fix: set \`spec.jobTemplate.spec.template.spec.restartPolicy: OnFailure\`.`,
      );
    }
    const missing = ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"].filter((f) => typeof spec[f] !== "number");
    if (missing.length > 0) {
      report(
        `CronJob "${name}" leaves ${missing.join(" and ")} to the defaults. Fix: set them (e.g. 3 and 3) so failed runs stay inspectable and old ones are cleaned.`,
      );
    }
  }),
});
