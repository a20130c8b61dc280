import { defineResourceRule, ofType } from "../lib/rule";
import { CronJob } from "../lib/resource-types";
import { isBackupCronJob } from "../lib/backups";

/** No `suspend: true` on a backup CronJob (mandatory on prod; rule 72). */
export const disallowSuspendedBackups = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-suspended-backups",
  description: "Backup CronJobs must not be suspended.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [72],
  anchors: ["app-platform RPO (seed 001 §4.3)", "Kubernetes CronJob spec.suspend"],
  rationale: "A suspended CronJob schedules no run and reports no failure, so backups stop silently and the RPO is broken from that moment on.",
  standard: "app-platform RPO (seed 001 §4.3: 24 h); Kubernetes CronJob `spec.suspend`",
  validateResource: ofType(CronJob, (cronJob, args, report) => {
    if (!isBackupCronJob(cronJob.metadata, args.name)) return args.notApplicable("not a backup CronJob");
    const name = cronJob.metadata?.name ?? args.name;
    if (cronJob.spec?.suspend === true) {
      report(
        `Backup CronJob "${name}" sets \`spec.suspend: true\`, so no backup runs and nothing fails to tell anyone. Fix: remove \`suspend\` (or set it to false); to pause one run, change the schedule in a reviewed change instead.`,
      );
    }
  }),
});
