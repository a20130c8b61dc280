import { defineResourceRule, ofType } from "../lib/rule";
import { CronJob } from "../lib/resource-types";
import { isBackupCronJob } from "../lib/backups";
import { obj } from "../lib/values";

/** Deadlines, backoff, `concurrencyPolicy: Forbid` (mandatory for backups). */
export const configureCronjobDeadlines = defineResourceRule("kubernetes", {
  name: "kubernetes-configure-cronjob-deadlines",
  description:
    "CronJobs must bound their runs with `startingDeadlineSeconds`, `activeDeadlineSeconds` and `backoffLimit`, and backup CronJobs must forbid concurrent runs.",
  enforcementLevel: "mandatory",
  scope: "backups",
  numbers: [27],
  anchors: ["kube-score cronjob-has-deadline", "Kubernetes CronJob limitations"],
  rationale: "A CronJob without deadlines can hang forever or pile up missed runs, and overlapping backup runs can write a broken backup.",
  standard: "kube-score cronjob-has-deadline; Kubernetes CronJob limitations",
  validateResource: ofType(CronJob, (cronJob, args, report) => {
    const name = cronJob.metadata?.name ?? args.name;
    const backup = isBackupCronJob(cronJob.metadata, args.name);
    const spec = obj(cronJob.spec);
    const job = obj(obj(spec.jobTemplate).spec);
    const where = `${backup ? "Backup CronJob" : "CronJob"} "${name}"`;
    // Only backups are mandatory; other CronJobs get the same findings as advice.
    const finding = backup ? report : report.advisory;
    if (typeof spec.startingDeadlineSeconds !== "number") {
      finding(`${where} has no \`spec.startingDeadlineSeconds\`; after 100 missed runs the controller stops scheduling it. Fix: set it (e.g. 600).`);
    }
    if (typeof job.activeDeadlineSeconds !== "number") {
      finding(`${where} has no \`spec.jobTemplate.spec.activeDeadlineSeconds\`, so a hung run never ends. Fix: set it (e.g. 3600).`);
    }
    if (typeof job.backoffLimit !== "number") {
      finding(`${where} has no \`spec.jobTemplate.spec.backoffLimit\` (default 6 retries). Fix: set it explicitly (e.g. 2).`);
    }
    if (backup && spec.concurrencyPolicy !== "Forbid") {
      report(
        `${where} allows concurrent runs (\`concurrencyPolicy: ${spec.concurrencyPolicy ?? "Allow"}\`), so two dumps can overlap. Fix: set \`spec.concurrencyPolicy: Forbid\`.`,
      );
    }
  }),
});
