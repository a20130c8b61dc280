import { defineResourceRule, ofType } from "../lib/rule";
import { CronJob } from "../lib/resource-types";
import { RPO_ANNOTATION } from "../lib/kubernetes";
import { BACKUP_MARKER, isBackupCronJob } from "../lib/backups";
import { integer, readConfig } from "../lib/config";
import { maxIntervalSeconds } from "../lib/cron";
import { obj } from "../lib/values";

const DEFAULTS = {
  // seed 001 §4.3: RPO 24 hours.
  defaultRpoSeconds: 86_400,
};

function hours(seconds: number): string {
  return Number.isFinite(seconds) ? `${+(seconds / 3600).toFixed(2)} h` : "never (it fires on one day at most in eight years)";
}

/** A backup CronJob's schedule interval ≤ the product's RPO. */
export const enforceBackupScheduleRpo = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-backup-schedule-rpo",
  description: "A backup CronJob's longest gap between runs must not exceed its RPO.",
  enforcementLevel: "mandatory",
  scope: "backups",
  numbers: [29],
  anchors: ["app-platform RPO (seed 001 §4.3)"],
  rationale: "When backups run less often than the recovery point objective, a failure just before the next run loses more data than the product promises.",
  standard: "app-platform RPO (seed 001 §4.3: 24 h)",
  config: {
    defaultRpoSeconds: integer(`RPO in seconds for backup CronJobs without the \`${RPO_ANNOTATION}\` annotation.`, DEFAULTS.defaultRpoSeconds, 60),
  },
  validateResource: ofType(CronJob, (cronJob, args, report) => {
    if (!isBackupCronJob(cronJob.metadata, args.name)) {
      return args.notApplicable(`not a backup CronJob (no label ${BACKUP_MARKER}: "true" and no "backup" in its name)`);
    }
    const name = cronJob.metadata?.name ?? args.name;
    const { defaultRpoSeconds } = readConfig(args, DEFAULTS);
    const annotation = obj(cronJob.metadata?.annotations)[RPO_ANNOTATION];
    let rpo = defaultRpoSeconds;
    if (annotation !== undefined) {
      rpo = Number(annotation);
      if (!Number.isInteger(rpo) || rpo <= 0) {
        report(
          `Backup CronJob "${name}" has annotation ${RPO_ANNOTATION}: "${annotation}", which is not a whole number of seconds. Fix: write the RPO in seconds, e.g. "86400".`,
        );
        return;
      }
    }
    const schedule = cronJob.spec?.schedule;
    let gap: number;
    try {
      gap = maxIntervalSeconds(String(schedule));
    } catch (e) {
      report(
        `Backup CronJob "${name}" has schedule "${schedule}" that cannot be parsed: ${(e as Error).message}. Fix: use five cron fields or a macro Kubernetes accepts, e.g. "0 3 * * *" or "@daily".`,
      );
      return;
    }
    if (gap > rpo) {
      report(
        `Backup CronJob "${name}" runs on "${schedule}", up to ${hours(gap)} apart, longer than its RPO of ${hours(rpo)}. Fix: schedule it at least every ${hours(rpo)} (e.g. "0 3 * * *" for a 24 h RPO).`,
      );
    }
  }),
});
