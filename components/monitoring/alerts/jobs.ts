/**
 * Background work builders: the application's job queue (`job_queue_depth`) and backup CronJobs
 * that have not succeeded within their RPO (kube-state-metrics `kube_cronjob_*`).
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, METRICS } from "./types";
import { pascalCase, renderSelector, describeSelector, durationText, checkServiceSelector, checkPositive, checkPositiveDuration } from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

// --- job queue -------------------------------------------------------------------------------

/** Options of `jobQueueHigh`. */
export interface JobQueueOptions extends AlertOptions {
  /** The service exporting `job_queue_depth`. @example { job: "codebook-api" } */
  readonly selector: SeriesSelector;
  /** Pending jobs above which the alert fires. @default 100 */
  readonly threshold?: number;
}

/** Defaults of `jobQueueHigh`: seed 001 §1.4 warning "Job queue depth > 100". */
export const JOB_QUEUE_DEFAULTS: BuilderDefaults<number> = {
  name: "JobQueueBacklog",
  severity: "warning",
  tiers: { warning: { threshold: 100, for: Duration.minutes(10) } },
};

/** `max(job_queue_depth{<selector>}) > threshold` (max: every replica reports the same table count). */
export function jobQueueHigh(opts: JobQueueOptions): AlertSpec {
  const { severity, tier } = tierFor(JOB_QUEUE_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkPositive("threshold", threshold, problems);
  return buildSpec(opts, JOB_QUEUE_DEFAULTS, tier, {
    builder: "jobQueueHigh",
    severity,
    expr: `max(${METRICS.jobQueueDepth}${renderSelector(opts.selector)}) > ${threshold}`,
    summary: `More than ${threshold} jobs waiting (${describeSelector(opts.selector)})`,
    description: `{{ $value }} jobs are pending in the queue of ${describeSelector(opts.selector)} (threshold ${threshold}); check the workers and the LLM latency.`,
    problems,
  });
}

// --- backups ---------------------------------------------------------------------------------

/** Options of `backupStale`. */
export interface BackupStaleOptions extends AlertOptions {
  /** Name of the backup CronJob. @example "codebook-db-backup" */
  readonly cronJob: string;
  /** Namespace of the CronJob. @example "codebook" */
  readonly namespace: string;
  /** Recovery point objective: the newest successful backup may be at most this old. @default Duration.hours(24) */
  readonly rpo?: Duration;
  /**
   * The longest gap between two scheduled runs (`cronIntervals(parseCron(schedule)).longest`).
   * The RPO must exceed it by `margin`, or one slow run pages. @default the RPO minus `margin` (no check)
   */
  readonly schedulePeriod?: Duration;
  /**
   * Slack a run gets between its scheduled start and its success before the RPO is at risk:
   * the backup job's 1 h `activeDeadline` (a run that takes its whole deadline still counts)
   * plus one hour for scheduling, image pulls and the upload. @default Duration.hours(2)
   */
  readonly margin?: Duration;
}

/** Defaults of `backupStale`: seed 001 §4.3 "RPO (Recovery Point Objective): 24 hours". */
export const BACKUP_STALE_DEFAULTS: BuilderDefaults<Duration> = {
  name: "BackupStale",
  severity: "critical", // the RPO is breached: a restore now would lose more data than agreed
  tiers: { critical: { threshold: Duration.hours(24), for: Duration.minutes(5) } },
};

/** The default `margin` of `backupStale`: the job's 1 h deadline plus an hour of slack. */
export const BACKUP_STALE_MARGIN = Duration.hours(2);

/**
 * The CronJob's last success is older than the RPO; or it has none yet although the CronJob
 * (kube-state-metrics `kube_cronjob_created`) is older than the RPO, i.e. its first scheduled
 * run has had the whole schedule period plus the margin to succeed:
 * `(time() - last_success > rpo) or ((time() - created > rpo) unless on(cronjob, namespace) last_success)`.
 * A fresh deploy therefore never pages before its first run could have succeeded, and
 * `rpo >= schedulePeriod + margin` (checked) means one slow run never pages either.
 * Named `<CronJob>Stale` (e.g. `CodebookDbBackupStale`) so several backups share a group.
 */
export function backupStale(opts: BackupStaleOptions): AlertSpec {
  const { severity, tier } = tierFor(BACKUP_STALE_DEFAULTS, opts);
  const rpo = opts.rpo ?? tier.threshold;
  const margin = opts.margin ?? BACKUP_STALE_MARGIN;
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.cronJob) || opts.cronJob.length > 52) {
    problems.push(`\`cronJob\` must be the CronJob's name (a DNS label of at most 52 characters), got "${opts.cronJob}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace) || opts.namespace.length > 63) {
    problems.push(`\`namespace\` must be the CronJob's namespace (a DNS label), got "${opts.namespace}"`);
  }
  checkPositiveDuration("rpo", rpo, problems);
  checkPositiveDuration("margin", margin, problems);
  if (opts.schedulePeriod !== undefined && opts.schedulePeriod.toSeconds() + margin.toSeconds() > rpo.toSeconds()) {
    problems.push(
      `\`rpo\` (${durationText(rpo)}) must be at least the schedule's longest gap (${durationText(opts.schedulePeriod)}) plus \`margin\` (${durationText(margin)}): otherwise one slow run breaches it and pages; schedule the job more often or raise the RPO`,
    );
  }
  const match = renderSelector({ cronjob: opts.cronJob, namespace: opts.namespace });
  const series = `${METRICS.cronJobLastSuccess}${match}`;
  const created = `${METRICS.cronJobCreated}${match}`;
  const base = pascalCase(opts.cronJob);
  return buildSpec(opts, BACKUP_STALE_DEFAULTS, tier, {
    builder: "backupStale",
    defaultName: /Backup$/.test(base) ? `${base}Stale` : `${base}${BACKUP_STALE_DEFAULTS.name}`,
    severity,
    expr: `(time() - ${series} > ${rpo.toSeconds()}) or ((time() - ${created} > ${rpo.toSeconds()}) unless on(cronjob, namespace) ${series})`,
    summary: `Backup ${opts.namespace}/${opts.cronJob} has not succeeded within its RPO of ${durationText(rpo)}`,
    description: `CronJob ${opts.namespace}/${opts.cronJob} has no successful run for {{ $value | humanizeDuration }} (since its last success, or since it was created when it never succeeded), beyond the RPO of ${durationText(rpo)}.`,
    problems,
  });
}

// --- restore time ----------------------------------------------------------------------------

/** Options of `restoreTooSlow`. */
export interface RestoreTooSlowOptions extends AlertOptions {
  /** Name of the restore-verification CronJob whose runs are timed. @example "codebook-restore-verify-daily" */
  readonly cronJob: string;
  /** Namespace of the CronJob. @example "codebook-prod" */
  readonly namespace: string;
  /** The product's recovery time objective; the alert fires when one restore takes half of it. */
  readonly rto: Duration;
}

/** Defaults of `restoreTooSlow`: half the RTO (seed 001 §4.3 RTO 4 h, §4.4 "document time to restore"). */
export const RESTORE_TOO_SLOW_DEFAULTS: BuilderDefaults<number> = {
  name: "RestoreTooSlow",
  severity: "warning", // nothing is lost yet: the RTO is at risk, not breached
  tiers: { warning: { threshold: 0.5, for: Duration.minutes(1) } },
};

/**
 * The newest run of the restore check took, or has been running for, more than half the RTO
 * (kube-state-metrics Job series, joined to the CronJob by `kube_job_owner`):
 * a finished run's `completion - start`, or a running one's `time() - start`, of the run with the
 * latest start, `> rto / 2`. Half, because a real recovery adds finding the backup, deciding to
 * restore and redeploying to the restore itself. A run killed by its deadline has no completion
 * time and is no longer active: the restore check's own freshness alert reports it.
 */
export function restoreTooSlow(opts: RestoreTooSlowOptions): AlertSpec {
  const { severity, tier } = tierFor(RESTORE_TOO_SLOW_DEFAULTS, opts);
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.cronJob) || opts.cronJob.length > 52) {
    problems.push(`\`cronJob\` must be the CronJob's name (a DNS label of at most 52 characters), got "${opts.cronJob}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace) || opts.namespace.length > 63) {
    problems.push(`\`namespace\` must be the CronJob's namespace (a DNS label), got "${opts.namespace}"`);
  }
  checkPositiveDuration("rto", opts.rto, problems);
  const limit = Math.round(opts.rto.toSeconds() * tier.threshold);
  const ns = renderSelector({ namespace: opts.namespace });
  const owned = `on(namespace, job_name) ${METRICS.jobOwner}${renderSelector({ namespace: opts.namespace, owner_kind: "CronJob", owner_name: opts.cronJob })}`;
  const start = `(${METRICS.jobStartTime}${ns} * ${owned})`;
  const finished = `(${METRICS.jobCompletionTime}${ns} - ${METRICS.jobStartTime}${ns})`;
  const running = `((time() - ${METRICS.jobStartTime}${ns}) and on(namespace, job_name) (${METRICS.jobActive}${ns} > 0))`;
  const newest = `on(namespace, job_name) (${start} == on(namespace) group_left() max by (namespace) ${start})`;
  return buildSpec(opts, RESTORE_TOO_SLOW_DEFAULTS, tier, {
    builder: "restoreTooSlow",
    defaultName: `${pascalCase(opts.cronJob)}TooSlow`,
    severity,
    expr: `((${finished} or ${running}) and ${newest}) > ${limit}`,
    summary: `Restore check ${opts.namespace}/${opts.cronJob} takes more than half the RTO of ${durationText(opts.rto)}`,
    description: `Run {{ $labels.job_name }} of ${opts.namespace}/${opts.cronJob} took (or has been running for) {{ $value | humanizeDuration }}, more than ${durationText(Duration.seconds(limit))}, half the RTO of ${durationText(opts.rto)}; a real recovery would not fit.`,
    problems,
  });
}

// --- scheduled maintenance -------------------------------------------------------------------

/** Options of `maintenanceJobFailed`. */
export interface MaintenanceJobFailedOptions extends AlertOptions {
  /** Name of the maintenance CronJob. @example "codebook-db-maintenance-vacuum" */
  readonly cronJob: string;
  /** Namespace of the CronJob. @example "codebook-prod" */
  readonly namespace: string;
}

/**
 * Defaults of `maintenanceJobFailed`: warning (seeds 000, 001 §7.1, 004 schedule VACUUM/REINDEX;
 * a missed run degrades, it does not break, so it goes to chat, not to on-call). `for` covers the
 * moment between a run's end and kube-state-metrics' next report.
 */
export const MAINTENANCE_JOB_FAILED_DEFAULTS: BuilderDefaults<undefined> = {
  name: "DatabaseMaintenanceFailed",
  severity: "warning",
  tiers: { warning: { threshold: undefined, for: Duration.minutes(5) } },
};

/**
 * The CronJob's last run failed: it started a Job after its last success (or it never succeeded)
 * and none of its Jobs is running any more (kube-state-metrics):
 * `(last_schedule > last_success or last_schedule unless last_success) and active == 0`.
 * A run in progress stays silent; the next successful run resolves it.
 */
export function maintenanceJobFailed(opts: MaintenanceJobFailedOptions): AlertSpec {
  const { severity, tier } = tierFor(MAINTENANCE_JOB_FAILED_DEFAULTS, opts);
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.cronJob) || opts.cronJob.length > 52) {
    problems.push(`\`cronJob\` must be the CronJob's name (a DNS label of at most 52 characters), got "${opts.cronJob}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace) || opts.namespace.length > 63) {
    problems.push(`\`namespace\` must be the CronJob's namespace (a DNS label), got "${opts.namespace}"`);
  }
  const match = renderSelector({ cronjob: opts.cronJob, namespace: opts.namespace });
  const scheduled = `${METRICS.cronJobLastSchedule}${match}`;
  const succeeded = `${METRICS.cronJobLastSuccess}${match}`;
  const on = "on(namespace, cronjob)";
  return buildSpec(opts, MAINTENANCE_JOB_FAILED_DEFAULTS, tier, {
    builder: "maintenanceJobFailed",
    severity,
    // max by: one series per CronJob, labelled namespace and cronjob, whichever branch matched.
    expr: `max by (namespace, cronjob) (((${scheduled} > ${on} ${succeeded}) or (${scheduled} unless ${on} ${succeeded})) and ${on} (${METRICS.cronJobActive}${match} == 0))`,
    summary: `Database maintenance ${opts.namespace}/${opts.cronJob} failed`,
    description: `The last run of CronJob ${opts.namespace}/${opts.cronJob} (VACUUM or REINDEX) ended without success; see its Job's logs (\`db-maintenance: error:\`).`,
    problems,
  });
}
