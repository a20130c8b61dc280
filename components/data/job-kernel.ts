/**
 * The kernel the platform's script jobs share — `BackupJob` (backup-job.ts),
 * `RestoreVerification` (restore-verification.ts), `DatabaseMaintenance`
 * (database-maintenance.ts) and their Kubernetes scaffolding (script-job.ts): the pinned image
 * type, the uid the jobs run as, the CronJob name limit, the backup marker label and the cron
 * helpers. A module of its own, importing none of them, so that none of them imports another
 * for these and components/data has no import cycle.
 */
import { type CronSchedule, cronGaps, parseCron } from "../../policies/lib/cron";
import { Duration } from "../values";

/** Label on every backup job object, for policies and dashboards. */
export const BACKUP_LABEL = "app-platform/backup";
/** Kubernetes truncates longer CronJob names (it appends 11 characters for its Jobs). */
export const MAX_CRONJOB_NAME = 52;
/** uid/gid of the `postgres` user in the official Alpine image. */
export const BACKUP_UID = 70;

/** The job's container image, pinned. */
export interface BackupImage {
  /** Repository without tag. @example "postgres" */
  readonly repository: string;
  /**
   * A pinned tag (never `latest`); may carry a digest, e.g. `17.6-alpine3.22@sha256:…`, or be a bare
   * digest `sha256:…` (pulled as `repository@sha256:…`, see `jobImageReference`).
   */
  readonly tag: string;
}

/** The pull reference of a job image: `repository:tag[@digest]`, or `repository@sha256:…` for a bare digest. */
export function jobImageReference(image: BackupImage): string {
  return `${image.repository}${image.tag.startsWith("sha256:") ? "@" : ":"}${image.tag}`;
}

// ---- cron -----------------------------------------------------------------------------------

// The one cron grammar of the components and the policy pack (policies/lib/cron.ts).
export { parseCron };
export type { CronSchedule };

/**
 * The longest and shortest time between two consecutive runs of a cron schedule (UTC), as
 * Durations: "15 3 * * *" → 24 h, "0 3 * * 0" → 168 h, "0 * * * *" → 1 h. Returns `undefined` when
 * the schedule never fires; `longest` is `undefined` when it fires on one day only in the 8 years
 * scanned (policies/lib/cron.ts `cronGaps`).
 */
export function cronIntervals(cron: CronSchedule): { longest?: Duration; shortest?: Duration } | undefined {
  const gaps = cronGaps(cron);
  if (!gaps) return undefined;
  return {
    longest: gaps.longestSeconds !== undefined ? Duration.seconds(gaps.longestSeconds) : undefined,
    shortest: gaps.shortestSeconds !== undefined ? Duration.seconds(gaps.shortestSeconds) : undefined,
  };
}
