/**
 * A scheduled PostgreSQL backup: a Kubernetes CronJob that runs `scripts/pg-backup.sh`
 * (pg_dump → verify → one signed PUT) into one prefix of a `BackupBucket` — or, in its place, the
 * product's own export command (`exportTask`) or a hosted service's export by the platform's own
 * script (`serviceExport`, e.g. `scripts/clerk-export.sh`: Clerk users → one signed PUT) — with its own
 * least-privilege upload credentials, a restricted pod, and a NetworkPolicy that lets it reach
 * only DNS, the database and HTTPS.
 *
 * Credentials: on S3 an IAM user whose only permission is `s3:PutObject` under
 * `<bucket>/<prefix>*` (plus encrypting with the bucket's KMS key through S3); on R2 a Cloudflare
 * API token scoped to the one bucket with "Workers R2 Storage Bucket Item Write" (R2 tokens cannot
 * be narrowed to a prefix; the bucket lock keeps what is written). R2's S3 credentials are the
 * token id and the sha256 hex of the token value (Cloudflare's documented derivation), computed
 * here and kept secret.
 *
 * The schedule is checked against the RPO at construction (`kubernetes-enforce-backup-schedule-rpo`): the longest gap
 * between two runs of the cron expression must not exceed `rpo`.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BackupBucketRef } from "./backup-bucket";
import { PrefixCredentials, bucketPrefixCredentials } from "./prefix-credentials";
// Shared with the restore verification; exported here as before.
export { emptyR2TokenMessage, r2BucketResource, r2SecretAccessKey } from "./prefix-credentials";
import { PlatformContext, TYPE_PREFIX, type Transform, isDnsLabel, recommendedLabels, throwIfInvalid, transform } from "../context";
import { secretEnv, tcpEgress } from "../workloads/pod-spec";
import {
  SCRIPTS_DIR,
  type ScriptJobContainer,
  bucketPrefixEnv,
  jobSecret,
  jobServiceAccount,
  runLimits,
  scriptCronJobSpec,
  scriptJobNetworkPolicySpec,
  scriptsConfigMap,
} from "./script-job";
import { Duration } from "../values";
import type { DumpSchemas } from "./postgres-providers";
import { BACKUP_LABEL, BACKUP_UID, type BackupImage, MAX_CRONJOB_NAME, cronIntervals, parseCron } from "./job-kernel";

const COMPONENT = "BackupJob";

/** Where the backup script lives; it is read at construction and shipped in a ConfigMap. */
export const PG_BACKUP_SCRIPT_PATH = path.join(__dirname, "scripts", "pg-backup.sh");
/** Key of the script in the ConfigMap, and its file name under `/scripts`. */
export const PG_BACKUP_SCRIPT_KEY = "pg-backup.sh";
/** The DATABASE_URL helper pg-backup.sh and db-maintenance.sh source from their own directory (shipped beside each). */
export const PG_URL_SCRIPT_PATH = path.join(__dirname, "scripts", "pg-url.sh");
/** Clerk's Backend API: the `servers` URL of Clerk's OpenAPI spec (github.com/clerk/openapi-specs `bapi/*.yml`). */
export const CLERK_API_URL = "https://api.clerk.com/v1";
/** The Clerk user export (seed 004 "Application Backup"), run in the backup image. */
export const CLERK_EXPORT_SCRIPT_PATH = path.join(__dirname, "scripts", "clerk-export.sh");
/** The signed single-PUT upload the service exports source from their own directory (shipped beside each). */
export const S3_PUT_SCRIPT_PATH = path.join(__dirname, "scripts", "s3-put.sh");

/**
 * The hosted services whose data the platform exports itself, with a script of its own run in the
 * backup image (for products with no image of their own on Kubernetes, e.g. ARA on Vercel): the
 * script and the files it sources, its plain environment, and the secret variables it needs.
 */
export const SERVICE_EXPORTS = {
  /** Every user of a Clerk instance, through Clerk's Backend API (`GET /users`), as one gzip'd JSON array. */
  "clerk-users": {
    script: CLERK_EXPORT_SCRIPT_PATH,
    sources: [S3_PUT_SCRIPT_PATH],
    env: { CLERK_API_URL },
    secretEnv: ["CLERK_SECRET_KEY"],
  },
} as const satisfies Record<string, { script: string; sources: readonly string[]; env: Record<string, string>; secretEnv: readonly string[] }>;

/** A service export's name, e.g. `"clerk-users"`. */
export type ServiceExportName = keyof typeof SERVICE_EXPORTS;

/** CronJob annotation with the RPO in seconds, for the freshness alert and `kubernetes-enforce-backup-schedule-rpo`. */
export const RPO_ANNOTATION = "app-platform/rpo-seconds";
/**
 * Cloudflare's permission group "Workers R2 Storage Bucket Item Write" (object read/write on the
 * buckets named in the token's resources). The id is the same in every account; list them with
 * `GET /accounts/<id>/tokens/permission_groups` if Cloudflare ever changes it.
 */
export const R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP = "2efd5506f9c8494dacb1fa10a3e7d5b6";

/** Container resources of the backup job. */
export interface BackupJobResources {
  readonly requests?: { readonly cpu?: string; readonly memory?: string; readonly "ephemeral-storage"?: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string; readonly "ephemeral-storage"?: string };
}

/** A product's own export, run by the backup CronJob in place of the pg_dump script. */
export interface BackupExportTask {
  /** The product's image, which provides the command (pinned, like every image). */
  readonly image: BackupImage;
  /** Command and arguments that write the export under `$BACKUP_PREFIX` in `$S3_BUCKET`. */
  readonly command: readonly string[];
  /** Extra plain environment. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra secret environment (e.g. the API key of the service exported), delivered through the Secret. */
  readonly secretEnv?: Readonly<Record<string, pulumi.Input<string>>>;
  /** TCP ports the export reaches besides DNS. @default [443] */
  readonly egressPorts?: readonly number[];
}

/** A hosted service's data exported by the platform's own script (`SERVICE_EXPORTS`), in the backup image. */
export interface BackupServiceExport {
  /** Which export, e.g. `"clerk-users"`. */
  readonly service: ServiceExportName;
  /** The export's secret environment by variable, exactly the variables it needs (`"clerk-users"`: `CLERK_SECRET_KEY`). */
  readonly secretEnv: Readonly<Record<string, pulumi.Input<string>>>;
}

export interface BackupJobArgs {
  /** Environment, product and owner; labels and the object key's product part come from it. */
  readonly context: PlatformContext;
  /** Namespace of the CronJob and its Secret, ConfigMap, ServiceAccount and NetworkPolicy. */
  readonly namespace: pulumi.Input<string>;
  /** The bucket to upload to (a `BackupBucket`, or its fields). */
  readonly bucket: BackupBucketRef;
  /** Key prefix of the backups; one of the bucket's retention prefixes. @example "daily/" */
  readonly prefix: string;
  /**
   * Cron expression, 5 fields, UTC; its longest gap between runs must not exceed `rpo`.
   * @example "15 3 * * *"
   */
  readonly schedule: string;
  /** Recovery point objective: the most data the product may lose. @example Duration.hours(24) (seed 001 §4.3) */
  readonly rpo: Duration;
  /**
   * libpq URI of the database to dump with the pg_dump script; kept a secret and delivered only
   * through a Secret. Give exactly one of `databaseUrl` and `exportTask`.
   */
  readonly databaseUrl?: pulumi.Input<string>;
  /**
   * With `databaseUrl`: the schemas dumped, only `include` (with every extension) or all but
   * `exclude` (pg_dump patterns), e.g. `{ exclude: SUPABASE_INTERNAL_SCHEMAS }` for a Supabase
   * database, whose internal schemas its `postgres` role cannot dump. A `schema=` in the URL
   * (Prisma) must be one of them. @default every schema
   */
  readonly dumpSchemas?: DumpSchemas;
  /**
   * Instead of a Postgres dump: the product's own export command (e.g. seed 001 §4.2's weekly
   * Pinecone export), run with the same upload credentials and environment (`S3_ENDPOINT`,
   * `S3_BUCKET`, `S3_REGION`, `BACKUP_PREFIX`, `PRODUCT`, `AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY`) plus its own. Give exactly one of `databaseUrl`, `exportTask` and
   * `serviceExport`.
   */
  readonly exportTask?: BackupExportTask;
  /**
   * Instead of a Postgres dump: a hosted service's export by the platform's own script (e.g. seed
   * 004's Clerk users), run in `image` with the same upload credentials and environment, its
   * secret variables from the job's Secret, egress to DNS and 443 only. Give exactly one of
   * `databaseUrl`, `exportTask` and `serviceExport`.
   */
  readonly serviceExport?: BackupServiceExport;
  /**
   * Image with pg_dump/pg_restore (same major version as the server or newer), curl ≥ 7.75 and
   * openssl, running as uid 70. The official `postgres` Alpine image has neither curl nor the
   * openssl CLI: build `FROM postgres:17-alpine` + `apk add --no-cache curl openssl` and pin it.
   * @default { repository: "postgres", tag: "17.6-alpine3.22" }
   */
  readonly image?: BackupImage;
  /** Kill a run after this long (Job `activeDeadlineSeconds`). @default Duration.hours(1) */
  readonly activeDeadline?: Duration;
  /** Skip a run that could not start within this long (`startingDeadlineSeconds`). @default Duration.minutes(10) */
  readonly startingDeadline?: Duration;
  /** Retries of a failed run. @default 2 */
  readonly backoffLimit?: number;
  /** Finished successful Jobs kept. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Finished failed Jobs kept. @default 3 */
  readonly failedJobsHistoryLimit?: number;
  /**
   * Container resources.
   * @default { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }
   */
  readonly resources?: BackupJobResources;
  /** Size limit of the `/tmp` emptyDir that holds the dump; larger than the biggest dump. @default "2Gi" */
  readonly tmpSizeLimit?: string;
  /** TCP port of the database, opened for egress in the NetworkPolicy. @default 5432 */
  readonly databasePort?: number;
  /** R2 only: id of the permission group granted to the token. @default R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP */
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
export const BACKUP_JOB_DEFAULTS = {
  image: { repository: "postgres", tag: "17.6-alpine3.22" } as BackupImage,
  activeDeadline: Duration.hours(1),
  startingDeadline: Duration.minutes(10),
  backoffLimit: 2,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } } as BackupJobResources,
  tmpSizeLimit: "2Gi",
  databasePort: 5432,
  r2PermissionGroupId: R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP,
};

// ---- pure helpers ---------------------------------------------------------------------------

/** The backup script as shipped in the ConfigMap (read from disk, byte for byte). */
export function readBackupScript(): string {
  return readFileSync(PG_BACKUP_SCRIPT_PATH, "utf8");
}

/**
 * The IAM policy of the S3 uploader: put objects under the prefix only, and have S3 encrypt them
 * with the bucket's KMS key (no read, list, delete or retention changes).
 *
 * With `multipart` (export jobs, whose SDKs switch to multipart uploads for large files) also what
 * a multipart upload to an SSE-KMS bucket needs (AWS: "Multipart upload API and permissions"):
 * `kms:Decrypt` (S3 decrypts the data key to encrypt each part and to complete the upload),
 * `s3:AbortMultipartUpload` and `s3:ListMultipartUploadParts`, still on `<bucket>/<prefix>*` only.
 * Create, UploadPart and Complete are authorised by `s3:PutObject`.
 */
export function s3BackupWriterPolicy(
  bucketArn: string,
  prefix: string | readonly string[],
  kmsKeyArn: string,
  region: string,
  options: { readonly multipart?: boolean } = {},
): string {
  // One prefix: one resource string (as it always was); several (the log writer's classes): a list.
  const objects = typeof prefix === "string" ? `${bucketArn}/${prefix}*` : prefix.map((p) => `${bucketArn}/${p}*`);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "PutBackups", Effect: "Allow", Action: "s3:PutObject", Resource: objects },
      ...(options.multipart
        ? [
            {
              Sid: "MultipartBackups",
              Effect: "Allow",
              Action: ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
              Resource: objects,
            },
          ]
        : []),
      {
        Sid: "EncryptThroughS3",
        Effect: "Allow",
        Action: options.multipart ? ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"] : ["kms:GenerateDataKey", "kms:Encrypt"],
        Resource: kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
      },
    ],
  });
}

/** A schema name or pg_dump pattern in `dumpSchemas` (no commas: the script splits the list on them). */
const DUMP_SCHEMA_PATTERN = /^[A-Za-z_*?][A-Za-z0-9_$*?]*$/;

/** The pg-backup.sh environment of `dumpSchemas`. */
export function dumpSchemasEnv(dump: DumpSchemas | undefined): { name: string; value: string }[] {
  if (!dump) return [];
  return "include" in dump ? [{ name: "DUMP_SCHEMAS", value: dump.include.join(",") }] : [{ name: "DUMP_EXCLUDE_SCHEMAS", value: dump.exclude.join(",") }];
}

/** Labels that select the job's pods (a subset of every object's labels). */
export function backupSelectorLabels(context: PlatformContext, name: string): Record<string, string> {
  const all = recommendedLabels(context, name, "backup");
  return {
    "app.kubernetes.io/name": all["app.kubernetes.io/name"],
    "app.kubernetes.io/instance": all["app.kubernetes.io/instance"],
  };
}

/**
 * Every problem with the arguments, checked synchronously before anything is created.
 * Throws one `ValidationError` listing them all.
 */
export function validateBackupJobArgs(name: string, args: BackupJobArgs): void {
  const problems: string[] = [];
  const d = BACKUP_JOB_DEFAULTS;

  if (!isDnsLabel(name, MAX_CRONJOB_NAME)) {
    problems.push(
      `the component name "${name}" names the CronJob, so it must be a DNS label of at most ${MAX_CRONJOB_NAME} characters (lower-case letters, digits, hyphens), e.g. "codebook-backup-daily"`,
    );
  }

  if ([args.databaseUrl, args.exportTask, args.serviceExport].filter((k) => k !== undefined).length !== 1) {
    problems.push(
      "give exactly one of `databaseUrl` (a Postgres dump), `exportTask` (the product's own export command) and `serviceExport` (a hosted service's export by the platform's script)",
    );
  }
  if (args.serviceExport) {
    const known = SERVICE_EXPORTS[args.serviceExport.service] as (typeof SERVICE_EXPORTS)[ServiceExportName] | undefined;
    if (!known) {
      problems.push(
        `\`serviceExport.service\` "${args.serviceExport.service}" is not one of ${Object.keys(SERVICE_EXPORTS)
          .map((k) => `"${k}"`)
          .join(", ")}`,
      );
    } else {
      const need: readonly string[] = known.secretEnv;
      const given = Object.keys(args.serviceExport.secretEnv);
      for (const k of need)
        if (!given.includes(k)) problems.push(`\`serviceExport.secretEnv\` lacks \`${k}\`, which the "${args.serviceExport.service}" export needs`);
      for (const k of given)
        if (!need.includes(k))
          problems.push(`\`serviceExport.secretEnv\` sets \`${k}\`, which the "${args.serviceExport.service}" export does not read; remove it`);
    }
  }
  if (args.dumpSchemas) {
    const list = "include" in args.dumpSchemas ? args.dumpSchemas.include : args.dumpSchemas.exclude;
    const field = "include" in args.dumpSchemas ? "dumpSchemas.include" : "dumpSchemas.exclude";
    if (args.databaseUrl === undefined) problems.push("`dumpSchemas` applies to a Postgres dump only; remove it from an export job");
    if (list.length === 0) problems.push(`\`${field}\` is empty; list schemas, or leave \`dumpSchemas\` out to dump every schema`);
    for (const s of list) {
      if (!DUMP_SCHEMA_PATTERN.test(s)) problems.push(`\`${field}\` entry "${s}" is not a schema name or pg_dump pattern (letters, digits, _, $, * and ?)`);
    }
  }
  if (args.exportTask) {
    const t = args.exportTask;
    if (t.command.length === 0) problems.push("`exportTask.command` is empty; give the export command and its arguments");
    if (!t.image.tag || t.image.tag.toLowerCase() === "latest") {
      problems.push("`exportTask.image.tag` must be pinned (not empty, not `latest`)");
    }
    const reserved = ["S3_ENDPOINT", "S3_BUCKET", "S3_REGION", "BACKUP_PREFIX", "PRODUCT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
    for (const k of [...Object.keys(t.env ?? {}), ...Object.keys(t.secretEnv ?? {})]) {
      if (reserved.includes(k)) problems.push(`\`exportTask\` sets \`${k}\`, which the job provides itself; remove it`);
    }
  }

  const rule = args.bucket.retention.find((r) => r.prefix === args.prefix);
  if (!rule) {
    const known = args.bucket.retention.map((r) => `"${r.prefix}"`).join(", ");
    problems.push(`\`prefix\` "${args.prefix}" is not one of the bucket's retention prefixes (${known}); use one of them or add a retention rule for it`);
  }

  const rpoSeconds = args.rpo.toSeconds();
  if (rpoSeconds <= 0) problems.push("`rpo` is 0; give the recovery point objective, e.g. `Duration.hours(24)`");
  if (rule && rpoSeconds >= rule.retention.toSeconds()) {
    problems.push(
      `\`rpo\` (${args.rpo}) is not shorter than the retention of "${rule.prefix}" (${rule.retention}); backups would expire before the next one is due, so keep them longer or lower \`rpo\``,
    );
  }

  const activeDeadline = args.activeDeadline ?? d.activeDeadline;
  const startingDeadline = args.startingDeadline ?? d.startingDeadline;
  const cron = parseCron(args.schedule);
  if ("problem" in cron) {
    problems.push(`\`schedule\` "${args.schedule}" is not a valid cron expression: ${cron.problem}; e.g. "15 3 * * *" for daily at 03:15 UTC`);
  } else {
    const intervals = cronIntervals(cron);
    if (!intervals) {
      problems.push(`\`schedule\` "${args.schedule}" never fires; check its day-of-month and month`);
    } else {
      if (intervals.longest === undefined || intervals.longest.toSeconds() > rpoSeconds) {
        const every = intervals.longest ? `${intervals.longest}` : "more than 8 years";
        problems.push(
          `\`schedule\` "${args.schedule}" leaves up to ${every} between runs, more than \`rpo\` (${args.rpo}); schedule it at least as often as the RPO (e.g. daily "15 3 * * *" for 1d) or raise \`rpo\` (kubernetes-enforce-backup-schedule-rpo)`,
        );
      }
      if (intervals.shortest && activeDeadline.toSeconds() > intervals.shortest.toSeconds()) {
        problems.push(
          `\`activeDeadline\` (${activeDeadline}) is longer than the shortest gap between runs of \`schedule\` (${intervals.shortest}); with \`concurrencyPolicy: Forbid\` a slow run would skip the next one, so lower it`,
        );
      }
    }
  }

  if (!Number.isInteger(activeDeadline.toSeconds()) || activeDeadline.toSeconds() < 1) {
    problems.push(`\`activeDeadline\` is ${activeDeadline}; use whole seconds of at least 1, e.g. \`Duration.hours(1)\``);
  }
  if (!Number.isInteger(startingDeadline.toSeconds()) || startingDeadline.toSeconds() < 10) {
    problems.push(`\`startingDeadline\` is ${startingDeadline}; Kubernetes may never start a job with less than 10 s, use e.g. \`Duration.minutes(10)\``);
  }
  const counts = {
    backoffLimit: args.backoffLimit ?? d.backoffLimit,
    successfulJobsHistoryLimit: args.successfulJobsHistoryLimit ?? d.successfulJobsHistoryLimit,
    failedJobsHistoryLimit: args.failedJobsHistoryLimit ?? d.failedJobsHistoryLimit,
  };
  for (const [field, n] of Object.entries(counts)) {
    if (!Number.isInteger(n) || n < 0 || n > 10) problems.push(`\`${field}\` is ${n}; use a whole number from 0 to 10`);
  }

  const image = args.image ?? d.image;
  if (!image.repository || /[:@]/.test(image.repository.split("/").pop() ?? "")) {
    problems.push(`\`image.repository\` "${image.repository}" must be a repository without tag or digest, e.g. "postgres"`);
  }
  if (!image.tag || image.tag === "latest" || image.tag.startsWith("latest@")) {
    problems.push(`\`image.tag\` "${image.tag}" is not pinned; use a fixed version such as "17.6-alpine3.22" (kubernetes-disallow-latest-image-tag)`);
  }

  const port = args.databasePort ?? d.databasePort;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`\`databasePort\` is ${port}; use a TCP port from 1 to 65535`);
  }

  if (args.bucket.kind === "s3" && (args.bucket.arn === undefined || args.bucket.kmsKeyArn === undefined)) {
    problems.push("`bucket` is an S3 bucket without `arn` and `kmsKeyArn`; pass the `BackupBucket` itself");
  }
  if (args.bucket.kind === "r2" && args.bucket.accountId === undefined) {
    problems.push("`bucket` is an R2 bucket without `accountId`; pass the `BackupBucket` itself");
  }

  throwIfInvalid(COMPONENT, name, problems);
}

/** Arguments of {@link pgBackupContainer}. */
export interface PgBackupContainerArgs {
  readonly bucket: BackupBucketRef;
  /** Key prefix the dump is written under (`BACKUP_PREFIX`). */
  readonly prefix: string;
  /** First part of the object name (`PRODUCT`). */
  readonly product: string;
  readonly dumpSchemas?: DumpSchemas;
  /** The Secret holding `DATABASE_URL`, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. */
  readonly secretName: pulumi.Input<string>;
  readonly image: BackupImage;
  readonly resources: BackupJobResources;
}

/**
 * The container that runs `scripts/pg-backup.sh` (mounted from the scripts ConfigMap) with the
 * environment it reads: where to upload, the schemas, and `DATABASE_URL` plus the upload
 * credentials through `secretKeyRef`. One definition for the scheduled dumps (`BackupJob`) and
 * the dump before a migration (`PreDeployBackup`), so both run the script the same way.
 */
export function pgBackupContainer(a: PgBackupContainerArgs): ScriptJobContainer {
  const fromSecret = (key: string) => secretEnv(a.secretName, key);
  return {
    name: "pg-backup",
    image: a.image,
    command: ["/bin/sh", `${SCRIPTS_DIR}/${PG_BACKUP_SCRIPT_KEY}`],
    env: [
      ...bucketPrefixEnv(a.bucket, a.prefix, a.product),
      { name: "BACKUP_TMPDIR", value: "/tmp" },
      ...dumpSchemasEnv(a.dumpSchemas),
      fromSecret("DATABASE_URL"),
      fromSecret("AWS_ACCESS_KEY_ID"),
      fromSecret("AWS_SECRET_ACCESS_KEY"),
    ],
    resources: a.resources,
  };
}

/** The ConfigMap data of a dump job's scripts: pg-backup.sh and the URL and upload helpers it sources, byte for byte. */
export function pgBackupScripts(): Record<string, string> {
  return {
    [PG_BACKUP_SCRIPT_KEY]: readBackupScript(),
    [path.basename(PG_URL_SCRIPT_PATH)]: readFileSync(PG_URL_SCRIPT_PATH, "utf8"),
    [path.basename(S3_PUT_SCRIPT_PATH)]: readFileSync(S3_PUT_SCRIPT_PATH, "utf8"),
  };
}

/**
 * A CronJob that fills a backup bucket prefix on a schedule: a dump of a PostgreSQL database, the
 * product's own export command, or a hosted service's export by the platform's script.
 */
export class BackupJob extends pulumi.ComponentResource {
  /** Name of the CronJob. */
  readonly cronJobName: pulumi.Output<string>;
  /** The cron schedule (UTC). */
  readonly schedule: string;
  /** The recovery point objective the schedule was checked against. */
  readonly rpo: Duration;
  /** The key prefix the job writes to. */
  readonly prefix: string;
  /** Name of the Secret with DATABASE_URL and the upload credentials. */
  readonly credentialsSecretName: pulumi.Output<string>;
  /** Labels selecting the job's pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;

  private readonly baseName: string;
  private readonly args: BackupJobArgs;
  private readonly labels: Record<string, string>;

  constructor(name: string, args: BackupJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:kubernetes:${COMPONENT}`, name, {}, opts);
    validateBackupJobArgs(name, args);
    this.baseName = name;
    this.args = args;
    this.schedule = args.schedule;
    this.rpo = args.rpo;
    this.prefix = args.prefix;
    this.selectorLabels = backupSelectorLabels(args.context, name);
    this.labels = { ...recommendedLabels(args.context, name, "backup"), [BACKUP_LABEL]: "true" };

    const credentials = this.createCredentials();
    const serviceAccount = this.createServiceAccount();
    const secret = this.createSecret(credentials);
    const script = args.exportTask ? undefined : this.createScriptConfigMap();
    const cronJob = this.createCronJob(serviceAccount, secret, script);
    this.createNetworkPolicy();

    this.cronJobName = cronJob.metadata.name;
    this.credentialsSecretName = secret.metadata.name;
    this.registerOutputs({
      cronJobName: this.cronJobName,
      schedule: this.schedule,
      rpoSeconds: this.rpo.toSeconds(),
      prefix: this.prefix,
      credentialsSecretName: this.credentialsSecretName,
      selectorLabels: this.selectorLabels,
    });
  }

  private metadata(suffix = ""): k8s.types.input.meta.v1.ObjectMeta {
    return { name: `${this.baseName}${suffix}`, namespace: this.args.namespace, labels: this.labels };
  }

  // ---- credentials ---------------------------------------------------------------------------

  private createCredentials(): PrefixCredentials {
    const { prefix } = this.args;
    return bucketPrefixCredentials(this, this.baseName, {
      bucket: this.args.bucket,
      context: this.args.context,
      prefix,
      role: "backup writer",
      s3: {
        iamPath: "/app-platform/backup/",
        tags: { [BACKUP_LABEL]: "true" },
        // Export jobs upload with an SDK, which goes multipart for large files; the pg_dump
        // script sends one signed PUT (up to 5 GiB).
        policy: (arn, key, region) => s3BackupWriterPolicy(arn, prefix, key, region, { multipart: this.args.exportTask !== undefined }),
      },
      r2PermissionGroupId: this.args.r2PermissionGroupId ?? BACKUP_JOB_DEFAULTS.r2PermissionGroupId,
      transform: this.args.transform,
    });
  }

  // ---- Kubernetes ----------------------------------------------------------------------------

  private createServiceAccount(): k8s.core.v1.ServiceAccount {
    return jobServiceAccount(this, `${this.baseName}-sa`, this.metadata());
  }

  private createSecret(credentials: PrefixCredentials): k8s.core.v1.Secret {
    return jobSecret(this, `${this.baseName}-credentials`, this.metadata("-credentials"), {
      ...(this.args.databaseUrl !== undefined ? { DATABASE_URL: pulumi.secret(this.args.databaseUrl) } : {}),
      ...Object.fromEntries(Object.entries(this.args.exportTask?.secretEnv ?? this.args.serviceExport?.secretEnv ?? {}).map(([k, v]) => [k, pulumi.secret(v)])),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
  }

  private createScriptConfigMap(): k8s.core.v1.ConfigMap {
    const service = this.args.serviceExport && SERVICE_EXPORTS[this.args.serviceExport.service];
    const files: Record<string, string> = service
      ? Object.fromEntries([service.script, ...service.sources].map((f) => [path.basename(f), readFileSync(f, "utf8")]))
      : pgBackupScripts();
    return scriptsConfigMap(this, `${this.baseName}-script`, this.metadata("-script"), files);
  }

  private createCronJob(
    serviceAccount: k8s.core.v1.ServiceAccount,
    secret: k8s.core.v1.Secret,
    script: k8s.core.v1.ConfigMap | undefined,
  ): k8s.batch.v1.CronJob {
    const a = this.args;
    const d = BACKUP_JOB_DEFAULTS;
    const task = a.exportTask;
    const serviceName = a.serviceExport?.service;
    const service = serviceName && SERVICE_EXPORTS[serviceName];
    const fromSecret = (key: string) => secretEnv(secret.metadata.name, key);
    const resources = a.resources ?? d.resources;
    const upload = [...bucketPrefixEnv(a.bucket, a.prefix, a.context.product), { name: "BACKUP_TMPDIR", value: "/tmp" }];
    const credentials = [fromSecret("AWS_ACCESS_KEY_ID"), fromSecret("AWS_SECRET_ACCESS_KEY")];
    const plain = (env: Readonly<Record<string, string>>) => Object.entries(env).map(([name, value]) => ({ name, value }));
    const container: ScriptJobContainer = task
      ? {
          name: "export",
          image: task.image,
          command: [...task.command],
          env: [...upload, ...plain(task.env ?? {}), ...Object.keys(task.secretEnv ?? {}).map(fromSecret), ...credentials],
          resources,
        }
      : service
        ? {
            name: serviceName,
            image: a.image ?? d.image,
            command: ["/bin/sh", `${SCRIPTS_DIR}/${path.basename(service.script)}`],
            env: [...upload, ...plain(service.env), ...service.secretEnv.map(fromSecret), ...credentials],
            resources,
          }
        : pgBackupContainer({
            bucket: a.bucket,
            prefix: a.prefix,
            product: a.context.product,
            dumpSchemas: a.dumpSchemas,
            secretName: secret.metadata.name,
            image: a.image ?? d.image,
            resources,
          });
    return new k8s.batch.v1.CronJob(
      `${this.baseName}-cronjob`,
      transform(a.transform?.cronJob, {
        metadata: {
          ...this.metadata(),
          annotations: { [RPO_ANNOTATION]: String(a.rpo.toSeconds()), "app-platform/backup-prefix": a.prefix },
        },
        spec: scriptCronJobSpec({
          context: a.context,
          schedule: a.schedule,
          ...runLimits(a, d),
          labels: this.labels,
          serviceAccountName: serviceAccount.metadata.name,
          runAsUser: BACKUP_UID,
          container,
          // An export task brings its own image and command; pg_dump and service exports run our scripts.
          scriptsConfigMap: script?.metadata.name,
          tmpSizeLimit: a.tmpSizeLimit ?? d.tmpSizeLimit,
        }),
      }),
      { parent: this },
    );
  }

  private createNetworkPolicy(): k8s.networking.v1.NetworkPolicy {
    const port = this.args.databasePort ?? BACKUP_JOB_DEFAULTS.databasePort;
    return new k8s.networking.v1.NetworkPolicy(
      `${this.baseName}-network-policy`,
      transform(this.args.transform?.networkPolicy, {
        metadata: this.metadata(),
        // A dump reaches the database and the bucket; an export its service and the bucket (a
        // service export: its HTTPS API, 443 only).
        spec: scriptJobNetworkPolicySpec(
          this.selectorLabels,
          this.args.exportTask
            ? (this.args.exportTask.egressPorts ?? [443]).map(tcpEgress)
            : this.args.serviceExport
              ? [tcpEgress(443)]
              : [tcpEgress(port), tcpEgress(443)],
        ),
      }),
      { parent: this },
    );
  }
}
