/**
 * The backup before a migration (seed 001 §3.3 "Backup production database before migration";
 * §4.1 "Backup Schedule: … Before each deployment; Before running risky migrations"): a one-off
 * `batch/v1` Job that runs the scheduled backup's own script (`scripts/pg-backup.sh`, the same
 * container as `BackupJob`'s, `pgBackupContainer`) once per release of a migrating workload,
 * into the `pre-deploy/` prefix of the product's backup bucket.
 *
 * Everything but the Job is the backup job's model, built from the same pieces (script-job.ts,
 * prefix-credentials.ts): its own upload credentials limited to `s3:PutObject` under the prefix
 * (S3) or one R2 bucket (R2), a ServiceAccount without a token, an Opaque Secret read through
 * `secretKeyRef`, the scripts ConfigMap, and a NetworkPolicy that lets it reach DNS, the
 * database's port and HTTPS only. The Job is the CronJob's job template (`scriptJobSpec`) under
 * a name derived from the release (`releaseJobName`), so one image tag is backed up once.
 *
 * How `pulumi up` treats it (pulumi-kubernetes, `batch/v1` Job): the provider waits for the Job's
 * `Complete` condition and fails the update at once on `Failed` (its error names the Job and
 * Kubernetes' reason, e.g. `[BackoffLimitExceeded]`); anything that `dependsOn` it (the migration
 * Job, then the Deployment) is not touched. A changed name or pod template replaces the Job
 * (both are replace-on-change for Jobs), so a new release takes a new backup; the same release
 * changes nothing and runs nothing. No `ttlSecondsAfterFinished`: a Job Kubernetes deleted would
 * be gone from the state after a `pulumi refresh` and be created (re-run) by the next `up`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupBucketRef } from "./backup-bucket";
import { BACKUP_JOB_DEFAULTS, type BackupJobResources, pgBackupContainer, pgBackupScripts, s3BackupWriterPolicy } from "./backup-job";
import { BACKUP_LABEL, BACKUP_UID, type BackupImage } from "./job-kernel";
import { bucketPrefixCredentials } from "./prefix-credentials";
import { jobSecret, jobServiceAccount, scriptJobNetworkPolicySpec, scriptJobSpec, scriptsConfigMap } from "./script-job";
import type { DumpSchemas } from "./postgres-providers";
import { type PlatformContext, TYPE_PREFIX, isDnsLabel, recommendedLabels, throwIfInvalid } from "../context";
import { tcpEgress } from "../workloads/pod-spec";
import { RELEASE_JOB_ANNOTATIONS, jobLogsHint, releaseJobTimeouts } from "../workloads/release-jobs";
import { Duration } from "../values";

const COMPONENT = "PreDeployBackup";

/**
 * The prefix of the backups taken before a migration, in the product's backup bucket; the bucket
 * needs a retention rule for it (seed 001 §4.1 keeps manual backups, "Backup before major
 * changes", 90 days).
 */
export const PRE_DEPLOY_PREFIX = "pre-deploy/";

export interface PreDeployBackupArgs {
  readonly context: PlatformContext;
  /** Namespace of the Job and its Secret, ConfigMap, ServiceAccount and NetworkPolicy (the workload's). */
  readonly namespace: pulumi.Input<string>;
  /** The product's backup bucket; it must have a retention rule for `PRE_DEPLOY_PREFIX`. */
  readonly bucket: BackupBucketRef;
  /** The Job's name, one per release of the workload (`releaseJobName(…, "pre-deploy", image)`). */
  readonly jobName: string;
  /** libpq URI of the database to dump (a secret; delivered through the Secret only). */
  readonly databaseUrl: pulumi.Input<string>;
  /** The schemas dumped, as the scheduled dumps' (`BackupSpec.dumpSchemas`). @default every schema */
  readonly dumpSchemas?: DumpSchemas;
  /** The scheduled backups' image (pg_dump, curl, openssl). @default BACKUP_JOB_DEFAULTS.image */
  readonly image?: BackupImage;
  /** TCP port of the database, opened for egress. @default 5432 */
  readonly databasePort?: number;
  /** Kill the dump after this long (`activeDeadlineSeconds`); `pulumi up` waits a little longer. @default Duration.hours(1), the scheduled dump's */
  readonly activeDeadline?: Duration;
  /** @default BACKUP_JOB_DEFAULTS.resources */
  readonly resources?: BackupJobResources;
  /** @default BACKUP_JOB_DEFAULTS.tmpSizeLimit */
  readonly tmpSizeLimit?: string;
}

/**
 * Retries of the dump. One: a dump is read-only and safe to repeat, and one retry absorbs a
 * dropped connection; more would hold the release for minutes of back-off.
 */
export const PRE_DEPLOY_BACKOFF_LIMIT = 1;

/** The dump Job before a migration, with the backup job's credentials model. */
export class PreDeployBackup extends pulumi.ComponentResource {
  /** The Job: `dependsOn` it to run after the backup succeeded. */
  readonly job: k8s.batch.v1.Job;
  /** The Job's name (per release). */
  readonly jobName: string;
  /** The prefix the dump is written under. */
  readonly prefix = PRE_DEPLOY_PREFIX;

  constructor(name: string, args: PreDeployBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:kubernetes:${COMPONENT}`, name, {}, opts);
    const problems: string[] = [];
    if (!args.bucket.retention.some((r) => r.prefix === PRE_DEPLOY_PREFIX)) {
      problems.push(
        `the backup bucket has no retention rule for "${PRE_DEPLOY_PREFIX}"; add \`{ prefix: "${PRE_DEPLOY_PREFIX}", retention: Retention.days(90) }\` to the product's \`backups.retention\` (seed 001 §4.1: manual backups kept 90 days)`,
      );
    }
    if (!isDnsLabel(args.jobName)) problems.push(`\`jobName\` "${args.jobName}" must be a DNS label of at most 63 characters`);
    throwIfInvalid(COMPONENT, name, problems);

    const d = BACKUP_JOB_DEFAULTS;
    const labels: Record<string, string> = { ...recommendedLabels(args.context, name, "pre-deploy-backup"), [BACKUP_LABEL]: "true" };
    const selector = { "app.kubernetes.io/name": labels["app.kubernetes.io/name"], "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"] };
    const metadata = (suffix = "") => ({ name: `${name}${suffix}`, namespace: args.namespace, labels });
    const prefix = PRE_DEPLOY_PREFIX;

    const credentials = bucketPrefixCredentials(this, name, {
      bucket: args.bucket,
      context: args.context,
      prefix,
      role: "pre-deploy backup writer",
      s3: {
        iamPath: "/app-platform/backup/",
        tags: { [BACKUP_LABEL]: "true" },
        policy: (arn, key, region) => s3BackupWriterPolicy(arn, prefix, key, region),
      },
      r2PermissionGroupId: d.r2PermissionGroupId,
    });
    const serviceAccount = jobServiceAccount(this, `${name}-sa`, metadata());
    const secret = jobSecret(this, `${name}-credentials`, metadata("-credentials"), {
      DATABASE_URL: pulumi.secret(args.databaseUrl),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    const scripts = scriptsConfigMap(this, `${name}-script`, metadata("-script"), pgBackupScripts());
    const policy = new k8s.networking.v1.NetworkPolicy(
      `${name}-network-policy`,
      { metadata: metadata(), spec: scriptJobNetworkPolicySpec(selector, [tcpEgress(args.databasePort ?? d.databasePort), tcpEgress(443)]) },
      { parent: this },
    );

    const activeDeadline = args.activeDeadline ?? d.activeDeadline;
    this.jobName = args.jobName;
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: {
          name: args.jobName,
          namespace: args.namespace,
          labels,
          annotations: { ...RELEASE_JOB_ANNOTATIONS, ...jobLogsHint(args.jobName, args.namespace), "app-platform/backup-prefix": prefix },
        },
        spec: scriptJobSpec({
          context: args.context,
          activeDeadlineSeconds: activeDeadline.toSeconds(),
          backoffLimit: PRE_DEPLOY_BACKOFF_LIMIT,
          labels,
          serviceAccountName: serviceAccount.metadata.name,
          runAsUser: BACKUP_UID,
          container: pgBackupContainer({
            bucket: args.bucket,
            prefix,
            product: args.context.product,
            dumpSchemas: args.dumpSchemas,
            secretName: secret.metadata.name,
            image: args.image ?? d.image,
            resources: args.resources ?? d.resources,
          }),
          scriptsConfigMap: scripts.metadata.name,
          tmpSizeLimit: args.tmpSizeLimit ?? d.tmpSizeLimit,
        }),
      },
      // Its egress policy first, so the dump can reach the database and the bucket when it starts.
      { parent: this, dependsOn: [policy], customTimeouts: releaseJobTimeouts(activeDeadline) },
    );
    this.registerOutputs({ jobName: this.jobName, prefix });
  }
}
