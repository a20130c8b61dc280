/**
 * Scheduled restore verification of one backed-up database: a Kubernetes CronJob that runs
 * `scripts/pg-restore-verify.sh` (list the prefix → download the newest backup → check its
 * SHA-256 → restore it into a throwaway PostgreSQL on a Unix socket inside the pod → check the
 * expected tables and their rows), with read-only credentials of its own.
 *
 * Seed 001 §4.4: "Monthly: perform test restore of database backup, verify data integrity,
 * document time to restore" (the job prints the restore's seconds). Seeds 000 and 004
 * ("Maintenance Schedule", weekly): "Verify backup integrity" / "Backup verification".
 *
 * Credentials: on S3 an IAM user that may only list `<prefix>*`, get objects under
 * `<bucket>/<prefix>*` and decrypt with the bucket's KMS key through S3 (no put, delete or
 * retention change). On R2 an API token with "Workers R2 Storage Bucket Item Read" on the one
 * bucket (R2 tokens cannot be narrowed to a prefix; this one cannot write). R2's S3 secret key is
 * the sha256 hex of the token value, as for the backup job.
 *
 * Staleness: `staleAlert()` is `backupStale` (the backup freshness mechanism: kube-state-metrics'
 * last successful run of this CronJob) with the longest gap of `schedule` plus the run's deadline
 * and `staleGrace` as its limit.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertSpec, backupStale } from "../monitoring/alerts";
import { BackupBucketRef } from "./backup-bucket";
import { BackupImage, BACKUP_LABEL, BACKUP_UID, MAX_CRONJOB_NAME, cronIntervals, parseCron } from "./job-kernel";
import { PrefixCredentials, bucketPrefixCredentials } from "./prefix-credentials";
import { PlatformContext, TYPE_PREFIX, type Transform, isDnsLabel, recommendedLabels, throwIfInvalid, transform } from "../context";
import { secretEnv, tcpEgress } from "../workloads/pod-spec";
import {
  SCRIPTS_DIR,
  bucketPrefixEnv,
  jobSecret,
  jobServiceAccount,
  runLimits,
  scriptCronJobSpec,
  scriptJobNetworkPolicySpec,
  scriptsConfigMap,
} from "./script-job";
import { Duration, RESTORE_TABLE } from "../values";

export { RESTORE_TABLE };

const COMPONENT = "RestoreVerification";

/** Where the verification script lives; it is read at construction and shipped in a ConfigMap. */
export const RESTORE_VERIFY_SCRIPT_PATH = path.join(__dirname, "scripts", "pg-restore-verify.sh");
/** Key of the script in the ConfigMap, and its file name under `/scripts`. */
export const RESTORE_VERIFY_SCRIPT_KEY = "pg-restore-verify.sh";
/** Label on every restore-verification object, for policies and dashboards. */
export const RESTORE_VERIFICATION_LABEL = "app-platform/restore-verification";
/**
 * Cloudflare's permission group "Workers R2 Storage Bucket Item Read" (read and list objects of
 * the buckets named in the token's resources); the same id in every account.
 */
export const R2_BUCKET_ITEM_READ_PERMISSION_GROUP = "6a018a9f2fc74eb6b293b0c548f38b39";

export interface RestoreVerificationArgs {
  /** Environment, product and owner; labels and the object names' product part come from it. */
  readonly context: PlatformContext;
  /** Namespace of the CronJob and its Secret, ConfigMap, ServiceAccount and NetworkPolicy. */
  readonly namespace: pulumi.Input<string>;
  /** The bucket the backups are in (a `BackupBucket`, or its fields). */
  readonly bucket: BackupBucketRef;
  /** The prefix whose newest backup is verified; one of the bucket's retention prefixes. @example "daily/" */
  readonly prefix: string;
  /**
   * Cron expression, 5 fields, UTC.
   * @example "0 6 2 * *" (monthly, seed 001 §4.4) or "0 6 * * 1" (weekly, seeds 000 and 004)
   */
  readonly schedule: string;
  /**
   * Tables that must exist after the restore and hold at least one row (`schema.table`, or
   * `table` for `public.table`). Empty: at least one table, and one with rows.
   * @default []
   */
  readonly expectedTables?: readonly string[];
  /**
   * Schemas to restore (pg_restore `--schema`), e.g. `["public"]` for a Supabase database whose
   * platform schemas need extensions no image has. Empty: the whole dump.
   * @default []
   */
  readonly restoreSchemas?: readonly string[];
  /** Fail when the newest backup is older than this (whole hours). @default none */
  readonly maxBackupAge?: Duration;
  /**
   * Image with curl ≥ 7.75, openssl, psql, pg_restore and the server binaries (initdb, pg_ctl,
   * postgres) plus every extension the dumps use (pgvector): the image built from
   * `components/data/scripts/pg-backup.Dockerfile`, running as uid 70.
   */
  readonly image: BackupImage;
  /** Kill a run after this long (Job `activeDeadlineSeconds`). @default Duration.hours(2) */
  readonly activeDeadline?: Duration;
  /** Skip a run that could not start within this long (`startingDeadlineSeconds`). @default Duration.minutes(30) */
  readonly startingDeadline?: Duration;
  /** Retries of a failed run. @default 1 */
  readonly backoffLimit?: number;
  /** Finished successful Jobs kept. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Finished failed Jobs kept. @default 3 */
  readonly failedJobsHistoryLimit?: number;
  /**
   * Container resources (the throwaway server runs inside it).
   * @default { requests: { cpu: "250m", memory: "512Mi", "ephemeral-storage": "1Gi" }, limits: { memory: "1Gi" } }
   */
  readonly resources?: {
    readonly requests?: { readonly cpu?: string; readonly memory?: string; readonly "ephemeral-storage"?: string };
    readonly limits?: { readonly cpu?: string; readonly memory?: string; readonly "ephemeral-storage"?: string };
  };
  /** Size limit of the `/tmp` emptyDir holding the object and the restored cluster (≥ 3× the dump). @default "8Gi" */
  readonly tmpSizeLimit?: string;
  /** Added to the schedule's longest gap and the run's deadline before the staleness alert fires. @default Duration.days(1) */
  readonly staleGrace?: Duration;
  /** R2 only: id of the permission group granted to the token. @default R2_BUCKET_ITEM_READ_PERMISSION_GROUP */
  readonly r2PermissionGroupId?: string;
  /** Adjust a child's arguments without forking the component. */
  readonly transform?: {
    readonly cronJob?: Transform<k8s.batch.v1.CronJobArgs>;
    readonly networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    readonly userPolicy?: Transform<aws.iam.UserPolicyArgs>;
    readonly apiToken?: Transform<cloudflare.ApiTokenArgs>;
  };
}

/** Defaults of the optional arguments (the same values as their `@default`s). */
export const RESTORE_VERIFICATION_DEFAULTS = {
  expectedTables: [] as readonly string[],
  restoreSchemas: [] as readonly string[],
  activeDeadline: Duration.hours(2),
  startingDeadline: Duration.minutes(30),
  backoffLimit: 1,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
  resources: {
    requests: { cpu: "250m", memory: "512Mi", "ephemeral-storage": "1Gi" },
    limits: { memory: "1Gi" },
  } as NonNullable<RestoreVerificationArgs["resources"]>,
  tmpSizeLimit: "8Gi",
  staleGrace: Duration.days(1),
  r2PermissionGroupId: R2_BUCKET_ITEM_READ_PERMISSION_GROUP,
};

/** The verification script as shipped in the ConfigMap (read from disk, byte for byte). */
export function readRestoreVerifyScript(): string {
  return readFileSync(RESTORE_VERIFY_SCRIPT_PATH, "utf8");
}

/**
 * The IAM policy of the verifier: list the prefix, read objects under it, and decrypt them
 * through S3 with the bucket's KMS key. Nothing else (no put, delete or retention change).
 */
export function s3BackupReaderPolicy(bucketArn: string, prefix: string, kmsKeyArn: string, region: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListBackups",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
      },
      { Sid: "ReadBackups", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${prefix}*` },
      {
        Sid: "DecryptThroughS3",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
      },
    ],
  });
}

/** Labels that select the job's pods. */
export function restoreVerificationSelectorLabels(context: PlatformContext, name: string): Record<string, string> {
  const all = recommendedLabels(context, name, "restore-verification");
  return { "app.kubernetes.io/name": all["app.kubernetes.io/name"], "app.kubernetes.io/instance": all["app.kubernetes.io/instance"] };
}

/**
 * How old the last successful run may get: the longest gap between runs of `schedule`, plus the
 * run's deadline, plus the grace. `undefined` when the schedule is invalid or fires once only.
 */
export function restoreVerificationStaleAfter(schedule: string, activeDeadline: Duration, grace: Duration): Duration | undefined {
  const cron = parseCron(schedule);
  if ("problem" in cron) return undefined;
  const longest = cronIntervals(cron)?.longest;
  return longest ? Duration.seconds(longest.toSeconds() + activeDeadline.toSeconds() + grace.toSeconds()) : undefined;
}

const SCHEMA = /^[a-z_][a-z0-9_$]*$/i;

/** Every problem with the arguments, checked synchronously; throws one `ValidationError`. */
export function validateRestoreVerificationArgs(name: string, args: RestoreVerificationArgs): void {
  const problems: string[] = [];
  const d = RESTORE_VERIFICATION_DEFAULTS;
  if (!isDnsLabel(name, MAX_CRONJOB_NAME)) {
    problems.push(
      `the component name "${name}" names the CronJob, so it must be a DNS label of at most ${MAX_CRONJOB_NAME} characters, e.g. "codebook-restore-verify-daily"`,
    );
  }
  if (!args.bucket.retention.some((r) => r.prefix === args.prefix)) {
    const known = args.bucket.retention.map((r) => `"${r.prefix}"`).join(", ");
    problems.push(`\`prefix\` "${args.prefix}" is not one of the bucket's retention prefixes (${known}); verify a prefix a backup job writes`);
  }
  const cron = parseCron(args.schedule);
  if ("problem" in cron) {
    problems.push(`\`schedule\` "${args.schedule}" is not a valid cron expression: ${cron.problem}; e.g. "0 6 * * 1" for Mondays at 06:00 UTC`);
  } else if (!cronIntervals(cron)?.longest) {
    problems.push(`\`schedule\` "${args.schedule}" never fires, or fires on one day only; give a recurring schedule`);
  }
  for (const t of args.expectedTables ?? d.expectedTables) {
    if (!RESTORE_TABLE.test(t))
      problems.push(
        `\`expectedTables\` entry "${t}" is not a \`table\` or \`schema.table\` name (lower-case letters, digits, _ and $, or a double-quoted identifier)`,
      );
  }
  for (const s of args.restoreSchemas ?? d.restoreSchemas) {
    if (!SCHEMA.test(s)) problems.push(`\`restoreSchemas\` entry "${s}" is not a plain schema name (letters, digits, _ and $)`);
  }
  const maxAge = args.maxBackupAge;
  if (maxAge && (maxAge.toSeconds() < 3600 || maxAge.toSeconds() % 3600 !== 0)) {
    problems.push(`\`maxBackupAge\` is ${maxAge}; use whole hours of at least 1, e.g. \`Duration.hours(48)\``);
  }
  const image = args.image;
  if (!image || !image.repository || !image.tag || image.tag === "latest" || image.tag.startsWith("latest@")) {
    problems.push(
      "`image` must be a repository and a pinned tag (never `latest`), built from components/data/scripts/pg-backup.Dockerfile (kubernetes-disallow-latest-image-tag)",
    );
  }
  const deadline = args.activeDeadline ?? d.activeDeadline;
  if (!Number.isInteger(deadline.toSeconds()) || deadline.toSeconds() < 60) {
    problems.push(`\`activeDeadline\` is ${deadline}; use whole seconds of at least 60, e.g. \`Duration.hours(2)\``);
  }
  const starting = args.startingDeadline ?? d.startingDeadline;
  if (!Number.isInteger(starting.toSeconds()) || starting.toSeconds() < 10) {
    problems.push(`\`startingDeadline\` is ${starting}; Kubernetes may never start a job with less than 10 s, use e.g. \`Duration.minutes(30)\``);
  }
  for (const field of ["backoffLimit", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"] as const) {
    const n = args[field] ?? d[field];
    if (!Number.isInteger(n) || n < 0 || n > 10) problems.push(`\`${field}\` is ${n}; use a whole number from 0 to 10`);
  }
  if (args.bucket.kind === "s3" && (args.bucket.arn === undefined || args.bucket.kmsKeyArn === undefined)) {
    problems.push("`bucket` is an S3 bucket without `arn` and `kmsKeyArn`; pass the `BackupBucket` itself");
  }
  if (args.bucket.kind === "r2" && args.bucket.accountId === undefined) {
    problems.push("`bucket` is an R2 bucket without `accountId`; pass the `BackupBucket` itself");
  }
  throwIfInvalid(COMPONENT, name, problems);
}

/** A CronJob that restores the newest backup of a prefix into a throwaway PostgreSQL and checks it. */
export class RestoreVerification extends pulumi.ComponentResource {
  /** Name of the CronJob (the component name), known at construction for alerts. */
  readonly cronJob: string;
  /** Name of the CronJob as created. */
  readonly cronJobName: pulumi.Output<string>;
  /** The cron schedule (UTC). */
  readonly schedule: string;
  /** The prefix whose newest backup is verified. */
  readonly prefix: string;
  /** How old the last successful run may get before `staleAlert()` fires. */
  readonly staleAfter: Duration;
  /** Labels selecting the job's pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;

  private readonly baseName: string;
  private readonly args: RestoreVerificationArgs;
  private readonly labels: Record<string, string>;

  constructor(name: string, args: RestoreVerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:kubernetes:${COMPONENT}`, name, {}, opts);
    validateRestoreVerificationArgs(name, args);
    const d = RESTORE_VERIFICATION_DEFAULTS;
    this.baseName = name;
    this.args = args;
    this.cronJob = name;
    this.schedule = args.schedule;
    this.prefix = args.prefix;
    this.staleAfter = restoreVerificationStaleAfter(args.schedule, args.activeDeadline ?? d.activeDeadline, args.staleGrace ?? d.staleGrace)!;
    this.selectorLabels = restoreVerificationSelectorLabels(args.context, name);
    // The backup marker "false": this job reads backups, it makes none (policies/lib/backups.ts).
    this.labels = { ...recommendedLabels(args.context, name, "restore-verification"), [RESTORE_VERIFICATION_LABEL]: "true", [BACKUP_LABEL]: "false" };

    const credentials = this.createCredentials();
    const serviceAccount = this.createServiceAccount();
    const secret = this.createSecret(credentials);
    const script = this.createScriptConfigMap();
    const cronJob = this.createCronJob(serviceAccount, secret, script);
    this.createNetworkPolicy();

    this.cronJobName = cronJob.metadata.name;
    this.registerOutputs({
      cronJobName: this.cronJobName,
      schedule: this.schedule,
      prefix: this.prefix,
      staleAfterSeconds: this.staleAfter.toSeconds(),
      selectorLabels: this.selectorLabels,
    });
  }

  /** The staleness alert: the backup freshness mechanism (`backupStale`) on this CronJob. */
  staleAlert(opts: { readonly namespace: string; readonly runbookBaseUrl?: string }): AlertSpec {
    return backupStale({ cronJob: this.cronJob, namespace: opts.namespace, rpo: this.staleAfter, runbookBaseUrl: opts.runbookBaseUrl });
  }

  private metadata(suffix = ""): k8s.types.input.meta.v1.ObjectMeta {
    return { name: `${this.baseName}${suffix}`, namespace: this.args.namespace, labels: this.labels };
  }

  // ---- credentials (read-only) ---------------------------------------------------------------

  private createCredentials(): PrefixCredentials {
    const { prefix } = this.args;
    return bucketPrefixCredentials(this, this.baseName, {
      bucket: this.args.bucket,
      context: this.args.context,
      prefix,
      role: "restore verification reader",
      s3: {
        iamPath: "/app-platform/restore-verification/",
        tags: { [RESTORE_VERIFICATION_LABEL]: "true" },
        policy: (arn, key, region) => s3BackupReaderPolicy(arn, prefix, key, region),
      },
      r2PermissionGroupId: this.args.r2PermissionGroupId ?? RESTORE_VERIFICATION_DEFAULTS.r2PermissionGroupId,
      transform: this.args.transform,
    });
  }

  // ---- Kubernetes ----------------------------------------------------------------------------

  private createServiceAccount(): k8s.core.v1.ServiceAccount {
    return jobServiceAccount(this, `${this.baseName}-sa`, this.metadata());
  }

  private createSecret(credentials: PrefixCredentials): k8s.core.v1.Secret {
    return jobSecret(this, `${this.baseName}-credentials`, this.metadata("-credentials"), {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
  }

  private createScriptConfigMap(): k8s.core.v1.ConfigMap {
    return scriptsConfigMap(this, `${this.baseName}-script`, this.metadata("-script"), { [RESTORE_VERIFY_SCRIPT_KEY]: readRestoreVerifyScript() });
  }

  private createCronJob(serviceAccount: k8s.core.v1.ServiceAccount, secret: k8s.core.v1.Secret, script: k8s.core.v1.ConfigMap): k8s.batch.v1.CronJob {
    const a = this.args;
    const d = RESTORE_VERIFICATION_DEFAULTS;
    return new k8s.batch.v1.CronJob(
      `${this.baseName}-cronjob`,
      transform(a.transform?.cronJob, {
        metadata: { ...this.metadata(), annotations: { "app-platform/verifies-prefix": a.prefix } },
        spec: scriptCronJobSpec({
          context: a.context,
          schedule: a.schedule,
          ...runLimits(a, d),
          labels: this.labels,
          serviceAccountName: serviceAccount.metadata.name,
          runAsUser: BACKUP_UID,
          container: {
            name: "restore-verify",
            image: a.image,
            command: ["/bin/sh", `${SCRIPTS_DIR}/${RESTORE_VERIFY_SCRIPT_KEY}`],
            env: [
              ...bucketPrefixEnv(a.bucket, a.prefix, a.context.product),
              { name: "EXPECTED_TABLES", value: (a.expectedTables ?? d.expectedTables).join(",") },
              { name: "RESTORE_SCHEMAS", value: (a.restoreSchemas ?? d.restoreSchemas).join(",") },
              ...(a.maxBackupAge ? [{ name: "MAX_BACKUP_AGE_HOURS", value: String(a.maxBackupAge.toSeconds() / 3600) }] : []),
              // The object, the throwaway cluster's data directory and its socket live in /tmp.
              { name: "VERIFY_TMPDIR", value: "/tmp" },
              { name: "HOME", value: "/tmp" },
              secretEnv(secret.metadata.name, "AWS_ACCESS_KEY_ID"),
              secretEnv(secret.metadata.name, "AWS_SECRET_ACCESS_KEY"),
            ],
            resources: a.resources ?? d.resources,
          },
          scriptsConfigMap: script.metadata.name,
          tmpSizeLimit: a.tmpSizeLimit ?? d.tmpSizeLimit,
        }),
      }),
      { parent: this },
    );
  }

  private createNetworkPolicy(): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(
      `${this.baseName}-network-policy`,
      transform(this.args.transform?.networkPolicy, {
        metadata: this.metadata(),
        // DNS and the bucket's HTTPS endpoint only: the throwaway server needs no network.
        spec: scriptJobNetworkPolicySpec(this.selectorLabels, [tcpEgress(443)]),
      }),
      { parent: this },
    );
  }
}
