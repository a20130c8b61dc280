/**
 * A product's data: its private R2 data buckets, its backup bucket with the jobs that fill it and
 * their freshness alerts, the scheduled restore check of the newest dump, the buckets its logs are
 * kept in (one `LogDestination`), and the database's scheduled maintenance.
 */
import * as cloudflare from "@pulumi/cloudflare";
import { type Environment, dataProtection } from "../context";
import type { BackupSpec, DataBucketSpec, DatabaseMaintenanceSpec } from "../product-spec";
import { type ProductScope, secretValues } from "../product-scope";
import { type AlertGroup, backupStale, maintenanceJobFailed, restoreTooSlow } from "../monitoring/alerts";
import { BackupBucket, type BackupBucketArgs, type BackupBucketKind } from "./backup-bucket";
import { type LogClass, type LogClassSpec, type LogDestination, type LogTarget, LOG_CLASSES, logClass } from "../logs/log-classes";
import { BackupJob } from "./backup-job";
import { cronIntervals, parseCron } from "./job-kernel";
import { DatabaseMaintenance } from "./database-maintenance";
import { RestoreVerification, RESTORE_VERIFICATION_DEFAULTS } from "./restore-verification";
import { schemasNotDumped } from "./postgres-providers";
import { throwIfInvalid } from "../context";

/** The backup job's component name, which is also its CronJob's name. */
export function backupJobName(productName: string, job: string): string {
  return `${productName}-backup-${job}`;
}

/** The restore verification's component name, which is also its CronJob's name. */
export function restoreVerificationName(productName: string, job: string): string {
  return `${productName}-restore-verify-${job}`;
}

/**
 * The freshness alert of one backup job: its RPO, checked against the schedule's longest gap
 * plus the margin (`BACKUP_STALE_MARGIN`), and silent until the first scheduled run has had time
 * to succeed (policy `kubernetes-enforce-backup-schedule-rpo`).
 */
export function backupFreshnessGroup(
  productName: string,
  product: string,
  namespace: string,
  job: BackupSpec["jobs"][number],
  runbookBaseUrl: string,
): AlertGroup {
  const cron = parseCron(job.schedule);
  const period = "problem" in cron ? undefined : cronIntervals(cron)?.longest;
  return {
    name: `${product}-backup-${job.name}`,
    rules: [
      backupStale({
        cronJob: backupJobName(productName, job.name),
        namespace,
        rpo: job.rpo,
        schedulePeriod: period,
        runbookBaseUrl,
      }),
    ],
  };
}

/** One private R2 bucket per `DataBucketSpec`: no managed (r2.dev) domain, no custom domain, no CORS; protected in prod. */
export function productDataBuckets(scope: ProductScope, buckets: readonly DataBucketSpec[]): cloudflare.R2Bucket[] {
  return buckets.map(
    (b) =>
      new cloudflare.R2Bucket(
        `${scope.name}-${b.name}`,
        { accountId: scope.platform.cloudflareAccountId, name: b.name },
        { parent: scope.parent, ...dataProtection(scope.context) },
      ),
  );
}

/** What `productBackups` made: the bucket, and the alerts on its jobs' and restore check's freshness. */
export interface ProductBackups {
  readonly bucket: BackupBucket;
  readonly alertGroups: readonly AlertGroup[];
}

/**
 * The backup bucket, one `BackupJob` per job (a `pg_dump` of `databaseSecret`, the product's own
 * export, or a hosted service's export by the platform's script) each with its freshness alert, and the restore verification (seed 001 §4.4, seeds 000
 * and 004: the newest dump of one job restored and checked on a schedule).
 */
/**
 * The product's backup bucket, made before the workloads: a migrating workload's pre-deploy
 * backup writes to it before the workload rolls out.
 */
export function productBackupBucket(scope: ProductScope, backups: BackupSpec): BackupBucket {
  const { name, context, platform, parent } = scope;
  checkArchiveKeepsNewestReadable(name, backups); // before anything is registered
  return new BackupBucket(
    `${name}-backups`,
    {
      context,
      kind: backups.kind,
      retention: backups.retention,
      ...(backups.kind === "r2" ? { accountId: platform.cloudflareAccountId } : { region: platform.awsRegion, bucketNameSuffix: platform.s3BucketSuffix }),
      ...(backups.archive ? { archiveTransition: backups.archive } : {}),
    },
    { parent },
  );
}

/** `databasePort`: the database's port (`database.port`), the dump jobs' egress; `bucket`: from `productBackupBucket`. */
export function productBackups(scope: ProductScope, backups: BackupSpec, databasePort: number, bucket: BackupBucket): ProductBackups {
  const { name, context, platform, parent } = scope;
  const alertGroups: AlertGroup[] = [];
  for (const job of backups.jobs) {
    new BackupJob(
      backupJobName(name, job.name),
      {
        context,
        namespace: scope.namespace,
        bucket,
        prefix: job.prefix,
        schedule: job.schedule,
        rpo: job.rpo,
        ...(job.export && "service" in job.export
          ? { serviceExport: { service: job.export.service, secretEnv: secretValues(scope.secrets, job.export.secretEnv) }, image: platform.backupImage }
          : job.export
            ? { exportTask: { image: job.export.image, command: job.export.command, secretEnv: secretValues(scope.secrets, job.export.secretEnv) } }
            : { databaseUrl: scope.secrets.get(backups.databaseSecret), databasePort, dumpSchemas: backups.dumpSchemas, image: platform.backupImage }),
      },
      { parent },
    );
    alertGroups.push(backupFreshnessGroup(name, context.product, scope.namespaceName, job, platform.runbookBaseUrl));
  }
  const v = backups.restoreVerification;
  if (v) {
    const missing = schemasNotDumped(v.restoreSchemas, backups.dumpSchemas);
    throwIfInvalid("ProductBackups", name, [
      ...(missing.length
        ? [
            `\`restoreVerification.restoreSchemas\` lists ${missing.map((s) => `"${s}"`).join(", ")}, which \`dumpSchemas\` leaves out of the dump; restore schemas the dump holds, or dump them`,
          ]
        : []),
    ]);
    const job = backups.jobs.find((j) => j.name === v.job)!;
    const verification = new RestoreVerification(
      restoreVerificationName(name, v.job),
      {
        context,
        namespace: scope.namespace,
        bucket,
        prefix: job.prefix,
        schedule: v.schedule,
        expectedTables: v.expectedTables,
        restoreSchemas: v.restoreSchemas,
        image: platform.backupImage,
        // A run may take the whole RTO, so that a slow restore is measured, not killed at half of it.
        ...(v.rto && v.rto.toSeconds() > RESTORE_VERIFICATION_DEFAULTS.activeDeadline.toSeconds() ? { activeDeadline: v.rto } : {}),
      },
      { parent },
    );
    const cronJob = restoreVerificationName(name, v.job);
    alertGroups.push({
      name: `${context.product}-restore-verification`,
      rules: [
        // Same mechanism as the backup freshness alert: the CronJob's last success.
        verification.staleAlert({ namespace: scope.namespaceName, runbookBaseUrl: platform.runbookBaseUrl }),
        // seed 001 §4.4 "document time to restore", §4.3 RTO: the restore's duration against it.
        ...(v.rto ? [restoreTooSlow({ cronJob, namespace: scope.namespaceName, rto: v.rto, runbookBaseUrl: platform.runbookBaseUrl })] : []),
      ],
    });
  }
  return { bucket, alertGroups };
}

/**
 * A Glacier class that needs a restore request (`GLACIER`, `DEEP_ARCHIVE`) must not take the
 * newest backup of any job: a restore (and the restore check) reads it directly. Its age stays
 * under the job's RPO, so `after` must exceed every RPO. `GLACIER_IR` is read like `STANDARD`.
 */
export function checkArchiveKeepsNewestReadable(productName: string, backups: BackupSpec): void {
  const a = backups.archive;
  if (!a || a.storageClass === "GLACIER_IR") return;
  const late = backups.jobs.filter((j) => a.after.toSeconds() <= j.rpo.toSeconds());
  if (late.length > 0) {
    throw new Error(
      `product "${productName}": backups.archive moves objects to ${a.storageClass} after ${a.after}, within the RPO of ${late.map((j) => `"${j.name}" (${j.rpo})`).join(", ")}: the newest backup could need a Glacier restore request before anyone can restore it. Archive after more than the longest RPO, or use GLACIER_IR (read at once)`,
    );
  }
}

/** seeds 000, 001 §7.1, 004: VACUUM (ANALYZE) monthly, vector REINDEX quarterly, first Saturday 02:00-06:00 UTC. */
/** `databasePort`: the database's port (`database.port`), the maintenance jobs' egress. */
export function productDatabaseMaintenance(scope: ProductScope, m: DatabaseMaintenanceSpec, databasePort: number): DatabaseMaintenance {
  return new DatabaseMaintenance(
    `${scope.name}-db-maintenance`,
    {
      context: scope.context,
      namespace: scope.namespace,
      databaseUrl: scope.secrets.get(m.databaseSecret),
      databasePort,
      image: scope.platform.backupImage,
      tasks: {
        ...(m.vacuum ? { vacuum: { months: "*" } } : {}),
        // Quarterly: the first Saturday of January, April, July and October.
        ...(m.reindexVectorIndexes ? { reindex: { months: "1,4,7,10" } } : {}),
      },
    },
    { parent: scope.parent },
  );
}

/**
 * A warning per maintenance CronJob whose last run failed (`DatabaseMaintenanceFailed`), one group
 * each: the alert keeps one name (one runbook), and names are unique within a group.
 */
export function databaseMaintenanceAlertGroups(scope: ProductScope, maintenance: DatabaseMaintenance): AlertGroup[] {
  return Object.entries(maintenance.cronJobNames).map(([task, cronJob]) => ({
    name: `${scope.context.product}-db-maintenance-${task}`,
    // The `task` label keeps the rules apart (promtool rejects two rules with one name and the same labels).
    rules: [maintenanceJobFailed({ cronJob: cronJob!, namespace: scope.namespaceName, runbookBaseUrl: scope.platform.runbookBaseUrl, labels: { task } })],
  }));
}

/** Where a product without backups keeps its logs: R2 (per-prefix locks in one bucket, no egress fees). */
export const LOG_BUCKET_DEFAULT_KIND: BackupBucketKind = "r2";

/**
 * The object lock mode of the audit-log bucket: COMPLIANCE in prod (seed 001 §2.5 "audit logs:
 * 7 years (compliance requirement)"; nobody, not even the AWS account root, can delete or shorten
 * it before it ends), GOVERNANCE elsewhere, so staging's test records, which no regulation covers,
 * stay deletable by a break-glass principal (`s3:BypassGovernanceRetention`) instead of piling up
 * undeletable for 7 years.
 */
export function auditLogLockMode(environment: Environment): "COMPLIANCE" | "GOVERNANCE" {
  return environment === "prod" ? "COMPLIANCE" : "GOVERNANCE";
}

/** The bucket names of a product's logs: `<product>-<env>-logs[-<class>]` and `<product>-<env>-audit-logs`. */
export function logBucketName(product: string, environment: string, which: "audit" | "logs" | LogClass): string {
  return which === "audit"
    ? `${product}-${environment}-audit-logs`
    : which === "logs"
      ? `${product}-${environment}-logs`
      : `${product}-${environment}-logs-${which}`;
}

/** What `productLogs` made: the buckets and, per class, where the writers put the class's logs. */
export interface ProductLogs {
  readonly destination: LogDestination;
  readonly buckets: readonly BackupBucket[];
}

/**
 * The buckets that keep a product's logs for each class's retention (`LOG_CLASSES`, seed 001
 * §2.5) and the `LogDestination` the writers (log agent, Vercel drains) take. Logs never share the
 * backup bucket, whose single lock and prefix rules stay the backups' own. Per class, the minimum
 * age is the lock and the maximum the lifecycle expiry; both equal the class's retention:
 * - audit, every product: an S3 bucket of its own, object lock `auditLogLockMode` for
 *   `AUDIT_RETENTION_MAX_DAYS` (2,557 days, the longest 7 calendar years can be) and expiry at the
 *   same age. S3 because R2 has no compliance mode (an R2 lock rule is removed by anyone who may
 *   edit the bucket's configuration). Days, not `Years: 7`: S3 documents no length for a lock
 *   year, and 2,557 days cover 7 calendar years from any day;
 * - the other classes on S3 (the product's backups are on S3): one bucket per class, because an S3
 *   bucket has one default lock and a lock longer than a prefix's retention would keep its data
 *   past its expiry (lifecycle cannot delete a locked version);
 * - on R2 (backups on R2, or no backups): one bucket, each prefix locked for its own retention
 *   (`r2LockRules`).
 * Backups archived to a colder class (`backups.archive`) archive the log buckets kept longer too.
 */
export function productLogs(scope: ProductScope, backups: BackupSpec | undefined): ProductLogs {
  const { name, context, platform, parent } = scope;
  const kind = backups?.kind ?? LOG_BUCKET_DEFAULT_KIND;
  const where = (k: BackupBucketKind): Pick<BackupBucketArgs, "accountId" | "region" | "bucketNameSuffix"> =>
    k === "r2" ? { accountId: platform.cloudflareAccountId } : { region: platform.awsRegion, bucketNameSuffix: platform.s3BucketSuffix };
  const archiveFor = (classes: readonly LogClassSpec[]) => {
    const a = backups?.archive;
    return a && classes.some((c) => c.retention.days > a.after.days) ? { archiveTransition: a } : {};
  };
  const bucket = (pulumiName: string, k: BackupBucketKind, bucketName: string, classes: readonly LogClassSpec[], extra: Partial<BackupBucketArgs> = {}) =>
    new BackupBucket(
      pulumiName,
      {
        context,
        kind: k,
        bucketName,
        retention: classes.map((c) => ({ prefix: c.prefix, retention: c.retention })),
        ...where(k),
        ...(k === "s3" ? archiveFor(classes) : {}),
        ...extra,
      },
      { parent },
    );

  const audit = logClass("audit");
  const auditBucket = bucket(`${name}-audit-logs`, "s3", logBucketName(context.product, context.environment, "audit"), [audit], {
    objectLock: { mode: auditLogLockMode(context.environment), retention: audit.retention },
  });
  const others = LOG_CLASSES.filter((c) => c.class !== "audit");
  const targets: Partial<Record<LogClass, LogTarget>> = { audit: { bucket: auditBucket, prefix: audit.prefix } };
  const buckets = [auditBucket];
  if (kind === "s3") {
    for (const c of others) {
      const b = bucket(`${name}-logs-${c.class}`, "s3", logBucketName(context.product, context.environment, c.class), [c]);
      buckets.push(b);
      targets[c.class] = { bucket: b, prefix: c.prefix };
    }
  } else {
    const b = bucket(`${name}-logs`, "r2", logBucketName(context.product, context.environment, "logs"), others);
    buckets.push(b);
    for (const c of others) targets[c.class] = { bucket: b, prefix: c.prefix };
  }
  return { destination: { product: context.product, targets: targets as Record<LogClass, LogTarget> }, buckets };
}
