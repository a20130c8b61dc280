/**
 * A private, versioned, locked, encrypted bucket for backups and log archives, on AWS S3 or
 * Cloudflare R2, whose objects expire per key prefix (e.g. `daily/` after 30 days, `weekly/`
 * after 90, seed 001 §4.1).
 *
 * S3 (aws v7 split resources): a KMS key with rotation and its alias, the bucket with object lock
 * enabled, versioning, SSE-KMS with a bucket key, a public access block with all four flags, owner-
 * enforced ownership, a TLS-only bucket policy, one lifecycle rule per prefix and an object-lock
 * default retention. R2: the bucket, one lifecycle rule per prefix and a bucket lock rule; no
 * managed (r2.dev) domain, no custom domain and no CORS are ever created.
 *
 * The object lock never outlives the lifecycle: its retention defaults to the shortest prefix
 * retention, and a longer one is rejected, so every object can still expire on time. On R2, whose
 * lock rules are per prefix, each prefix kept longer is also locked for its own retention
 * (`r2LockRules`); on S3 one default retention covers the whole bucket, so a prefix that must be
 * locked for its whole retention needs a bucket whose prefixes all share it (the log buckets).
 * Data-bearing children (bucket, key, lock) are protected and retained on delete in prod.
 */
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext, TYPE_PREFIX, Transform, dataProtection, resourceTags, throwIfInvalid, transform } from "../context";
import { Duration, Retention } from "../values";

const COMPONENT = "BackupBucket";

/** Where the bucket lives. */
export type BackupBucketKind = "s3" | "r2";

/** How long objects under one key prefix are kept. */
export interface BackupRetentionRule {
  /** Key prefix ending in `/`, e.g. `daily/` or `logs/audit/`. */
  readonly prefix: string;
  /** Objects under the prefix are deleted this long after they were written. */
  readonly retention: Retention;
}

/** S3 Glacier storage classes an archive transition may move objects to. */
export type ArchiveStorageClass = "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE";

/** R2 jurisdictions (where objects are guaranteed to be stored). */
export type R2Jurisdiction = "default" | "eu" | "fedramp";

/** R2 location hints. */
export type R2Location = "apac" | "eeur" | "enam" | "weur" | "wnam" | "oc";

/** Object lock (write-once-read-many) default retention. */
export interface BackupObjectLock {
  /**
   * S3 retention mode. `GOVERNANCE` lets a principal with `s3:BypassGovernanceRetention` delete
   * early (a break-glass path); `COMPLIANCE` lets nobody, not even the account root. R2 has one
   * mode only and ignores this field.
   * @default "GOVERNANCE"
   */
  readonly mode?: "GOVERNANCE" | "COMPLIANCE";
  /**
   * How long each new object is locked. Must not exceed any prefix's retention, or objects
   * could not expire when their lifecycle rule says so.
   * @default the shortest retention in `retention`
   */
  readonly retention?: Retention;
}

export interface BackupBucketArgs {
  /** Environment, product and owner; prod protects the data-bearing children. */
  readonly context: PlatformContext;
  /** `s3` for AWS S3, `r2` for Cloudflare R2. */
  readonly kind: BackupBucketKind;
  /**
   * The bucket's name: 3–63 lower-case letters, digits and hyphens, starting and ending with a
   * letter or digit (valid on both S3 and R2, and a DNS label, so virtual-host TLS works).
   * @default `${product}-${environment}-backups`
   */
  readonly bucketName?: string;
  /**
   * S3 only: a unique last part appended as `-<suffix>`. S3 bucket names are global across every
   * AWS account, so `codebook-prod-backups` alone fails with BucketAlreadyExists in all accounts
   * but the first; the program passes the stack's `s3BucketSuffix` or the AWS account id. Checked
   * against S3's naming rules with the rest of the name (when it resolves, if it is an output).
   * @default none (the name as given)
   * @example "123456789012"
   */
  readonly bucketNameSuffix?: pulumi.Input<string>;
  /**
   * Per-prefix expiry; at least one rule, prefixes unique, ending in `/` and not nested in one
   * another (one object, one rule).
   * @example [{ prefix: "daily/", retention: Retention.days(30) }, { prefix: "weekly/", retention: Retention.days(90) }]
   */
  readonly retention: ReadonlyArray<BackupRetentionRule>;
  /**
   * S3 only: how long a version stays after it was overwritten or its object expired. On this
   * versioned, locked bucket an expiration only adds a delete marker; the data goes when the
   * noncurrent version expires, so a prefix's data lives about retention + this (+ S3's rounding
   * to midnight UTC, twice). Short, so each prefix's data is gone close to its stated age (issue
   * 10): the object lock, not this window, keeps early-deleted versions for the lock period.
   * @default Retention.days(1)
   */
  readonly noncurrentVersionRetention?: Retention;
  /**
   * Abort multipart uploads left incomplete after this long; at most 7 days (`aws-configure-bucket-lifecycle` and `cloudflare-configure-r2-lifecycle`).
   * Whole days on S3.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUpload?: Duration;
  /**
   * S3 only: move objects to a Glacier class after `after`. Applied to every prefix whose
   * retention is longer than `after`; it must be shorter than the longest retention.
   * @default none
   */
  readonly archiveTransition?: { readonly after: Retention; readonly storageClass: ArchiveStorageClass };
  /**
   * Object lock default retention. Always on: a backup bucket without it is rejected by policy
   * (`aws-enable-backup-object-lock` and `cloudflare-enable-r2-backup-lock`).
   * @default { mode: "GOVERNANCE", retention: <shortest prefix retention> }
   */
  readonly objectLock?: BackupObjectLock;
  /**
   * S3 only: the AWS region to create the bucket and key in.
   * @default the AWS provider's region (looked up with `aws.getRegionOutput`)
   */
  readonly region?: string;
  /** R2 only, required there: the Cloudflare account that owns the bucket. */
  readonly accountId?: pulumi.Input<string>;
  /**
   * R2 only: location hint. Unset lets Cloudflare place the bucket near the first request; set it
   * to keep backups away from the primary data (`cloudflare-configure-r2-location` checks it against an allow-list).
   * @default unset
   */
  readonly location?: R2Location;
  /**
   * R2 only: jurisdiction.
   * @default "default"
   */
  readonly jurisdiction?: R2Jurisdiction;
  /** Adjust a child's arguments without forking the component. */
  readonly transform?: {
    readonly key?: Transform<aws.kms.KeyArgs>;
    readonly bucket?: Transform<aws.s3.BucketArgs>;
    readonly policy?: Transform<aws.s3.BucketPolicyArgs>;
    readonly lifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
    readonly objectLock?: Transform<aws.s3.BucketObjectLockConfigurationArgs>;
    readonly r2Bucket?: Transform<cloudflare.R2BucketArgs>;
    readonly r2Lifecycle?: Transform<cloudflare.R2BucketLifecycleArgs>;
    readonly r2Lock?: Transform<cloudflare.R2BucketLockArgs>;
  };
}

/** Defaults of the optional arguments (the same values as their `@default`s). */
export const BACKUP_BUCKET_DEFAULTS = {
  noncurrentVersionRetention: Retention.days(1),
  abortIncompleteMultipartUpload: Duration.days(7),
  objectLockMode: "GOVERNANCE" as const,
  jurisdiction: "default" as const,
};

/** The longest time an incomplete multipart upload may linger (`aws-configure-bucket-lifecycle` and `cloudflare-configure-r2-lifecycle`). */
export const MAX_ABORT_INCOMPLETE_MULTIPART = Duration.days(7);

/** What a backup job needs to know about a bucket; `BackupBucket` satisfies it. */
export interface BackupBucketRef {
  readonly kind: BackupBucketKind;
  readonly bucketName: pulumi.Input<string>;
  /** Base URL of the S3 API; objects are addressed path-style below it. */
  readonly endpoint: pulumi.Input<string>;
  /** SigV4 signing region (`auto` on R2). */
  readonly region: pulumi.Input<string>;
  readonly retention: ReadonlyArray<BackupRetentionRule>;
  /** S3: the bucket ARN. */
  readonly arn?: pulumi.Input<string>;
  /** S3: the ARN of the bucket's KMS key. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** R2: the Cloudflare account id. */
  readonly accountId?: pulumi.Input<string>;
  /** R2: the jurisdiction. */
  readonly jurisdiction?: R2Jurisdiction;
}

/** Bucket names valid on S3 and R2 alike, and DNS labels. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** A key prefix: path segments of safe characters, each ending in `/`. */
const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)+$/;

/** The bucket name used when `bucketName` is not given. */
export function defaultBucketName(context: PlatformContext): string {
  return `${context.product}-${context.environment}-backups`;
}

/** `<name>-<suffix>`: the S3 bucket name with its unique part (or `name` when there is none). */
export function s3BucketName(name: string, suffix: string | undefined): string {
  return suffix ? `${name}-${suffix}` : name;
}

/** Prefixes and suffixes S3 reserves (general purpose bucket naming rules). */
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"];

/**
 * Why `name` is not a valid bucket name, or `undefined` when it is: S3's rules for general purpose
 * buckets (3-63 characters; lower-case letters, digits, hyphens; starting and ending with a letter
 * or digit; reserved prefixes and suffixes), without dots (virtual-host TLS) so R2 accepts it too.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) {
    return `it has ${name.length} characters; use 3-63`;
  }
  if (!BUCKET_NAME.test(name)) {
    return `use 3-63 lower-case letters, digits and hyphens (no dots), starting and ending with a letter or digit (e.g. "codebook-prod-backups")`;
  }
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  const suffix = RESERVED_SUFFIXES.find((p) => name.endsWith(p));
  if (prefix || suffix) {
    return `the prefixes ${RESERVED_PREFIXES.map((p) => `"${p}"`).join(", ")} and the suffixes ${RESERVED_SUFFIXES.map((p) => `"${p}"`).join(", ")} are reserved by S3; choose another name`;
  }
  return undefined;
}

/** The lifecycle/lock rule id of a prefix: `daily/` → `daily`, `logs/app/` → `logs-app`. */
export function prefixSlug(prefix: string): string {
  return prefix.replace(/\/$/, "").replace(/\//g, "-");
}

/** The shortest retention among the rules (the default lock retention). */
export function shortestRetention(rules: ReadonlyArray<BackupRetentionRule>): Retention {
  return rules.reduce((min, r) => (r.retention.days < min.days ? r.retention : min), rules[0].retention);
}

/**
 * Every problem with the arguments, checked synchronously before anything is created.
 * Throws one `ValidationError` listing them all.
 */
export function validateBackupBucketArgs(name: string, args: BackupBucketArgs): void {
  const problems: string[] = [];
  const kind = args.kind;

  if (kind !== "s3" && kind !== "r2") {
    problems.push(`\`kind\` is ${JSON.stringify(kind)}; use "s3" (AWS) or "r2" (Cloudflare)`);
  }

  const bucketName = args.bucketName ?? defaultBucketName(args.context);
  const nameProblem = bucketNameProblem(bucketName);
  if (nameProblem) problems.push(`\`bucketName\` "${bucketName}" is not a valid bucket name; ${nameProblem}`);
  if (kind === "s3" && typeof args.bucketNameSuffix === "string" && !nameProblem) {
    const full = s3BucketName(bucketName, args.bucketNameSuffix);
    const problem = args.bucketNameSuffix === "" ? "the suffix is empty; omit it or give one" : bucketNameProblem(full);
    if (problem) problems.push(`\`bucketNameSuffix\` "${args.bucketNameSuffix}" makes the bucket name "${full}", which is not valid; ${problem}`);
  }

  const rules = args.retention ?? [];
  if (rules.length === 0) {
    problems.push('`retention` is empty; declare at least one prefix rule, e.g. `[{ prefix: "daily/", retention: Retention.days(30) }]`');
  }
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!PREFIX.test(rule.prefix)) {
      problems.push(
        `\`retention\` prefix "${rule.prefix}" is not a key prefix; use lower-case path segments each ending in "/", e.g. "daily/" or "logs/audit/"`,
      );
    }
    if (seen.has(rule.prefix)) {
      problems.push(`\`retention\` prefix "${rule.prefix}" appears twice; give each prefix exactly one rule`);
    }
    seen.add(rule.prefix);
  }
  for (const a of rules) {
    for (const b of rules) {
      if (a.prefix !== b.prefix && b.prefix.startsWith(a.prefix)) {
        problems.push(
          `\`retention\` prefixes "${a.prefix}" and "${b.prefix}" overlap; objects under "${b.prefix}" would match two rules, so rename one (e.g. "${a.prefix}" → "${prefixSlug(a.prefix)}-other/")`,
        );
      }
    }
  }

  const abort = args.abortIncompleteMultipartUpload ?? BACKUP_BUCKET_DEFAULTS.abortIncompleteMultipartUpload;
  if (abort.toSeconds() <= 0 || abort.toSeconds() > MAX_ABORT_INCOMPLETE_MULTIPART.toSeconds()) {
    problems.push(
      `\`abortIncompleteMultipartUpload\` is ${abort}; incomplete uploads must be aborted after more than 0 and at most 7 days (aws-configure-bucket-lifecycle and cloudflare-configure-r2-lifecycle), e.g. \`Duration.days(7)\``,
    );
  } else if (kind === "s3" && abort.toSeconds() % 86_400 !== 0) {
    problems.push(`\`abortIncompleteMultipartUpload\` is ${abort}; S3 counts it in whole days, e.g. \`Duration.days(1)\``);
  }

  if (kind === "r2") {
    if (args.accountId === undefined || args.accountId === "") {
      problems.push('`accountId` is required for `kind: "r2"`; pass the Cloudflare account id (stack config `cloudflare:accountId`)');
    }
    if (args.noncurrentVersionRetention !== undefined) {
      problems.push("`noncurrentVersionRetention` applies to S3 only (R2 has no object versions); remove it");
    }
    if (args.archiveTransition !== undefined) {
      problems.push("`archiveTransition` applies to S3 only (R2 has no Glacier classes); remove it");
    }
    if (args.region !== undefined) {
      problems.push("`region` applies to S3 only; use `location` to place an R2 bucket");
    }
    if (args.bucketNameSuffix !== undefined) {
      problems.push("`bucketNameSuffix` applies to S3 only (R2 names are per account); remove it");
    }
  }
  if (kind === "s3") {
    for (const field of ["accountId", "location", "jurisdiction"] as const) {
      if (args[field] !== undefined) problems.push(`\`${field}\` applies to R2 only; remove it for \`kind: "s3"\``);
    }
  }

  if (rules.length > 0) {
    const longest = rules.reduce((max, r) => Math.max(max, r.retention.days), 0);
    if (args.archiveTransition && args.archiveTransition.after.days >= longest) {
      problems.push(
        `\`archiveTransition.after\` is ${args.archiveTransition.after}, not before any prefix expires (longest retention ${longest}d); transition earlier or drop it`,
      );
    }
    const lock = args.objectLock?.retention;
    if (lock) {
      for (const rule of rules) {
        if (lock.days > rule.retention.days) {
          problems.push(
            `\`objectLock.retention\` (${lock}) is longer than the retention of "${rule.prefix}" (${rule.retention}); objects there could not expire on time, so lock for at most ${shortestRetention(rules)} or omit it to use the shortest retention`,
          );
        }
      }
    }
  }

  throwIfInvalid(COMPONENT, name, problems);
}

/** Roles of the children that hold data or key material; protected in prod. */
export const BACKUP_BUCKET_DATA_ROLES = ["key", "bucket", "object-lock", "r2-bucket", "r2-lock"] as const;

/**
 * Resource options of the child with the given role: data-bearing children get
 * `dataProtection(context)` (protected and retained on delete in prod), the rest nothing extra.
 */
export function backupBucketResourceOptions(context: Pick<PlatformContext, "environment">, role: string): { protect?: boolean; retainOnDelete?: boolean } {
  return (BACKUP_BUCKET_DATA_ROLES as readonly string[]).includes(role) ? dataProtection(context) : {};
}

/** The S3 API endpoint of an R2 account (jurisdiction-specific hosts for `eu`, `fedramp`). */
export function r2Endpoint(accountId: string, jurisdiction: R2Jurisdiction): string {
  const sub = jurisdiction === "default" ? "" : `.${jurisdiction}`;
  return `https://${accountId}${sub}.r2.cloudflarestorage.com`;
}

/** One R2 bucket lock rule (`cloudflare.R2BucketLock` `rules[]`, condition Age in seconds). */
export interface R2LockRule {
  readonly id: string;
  readonly enabled: true;
  readonly prefix: string;
  readonly condition: { readonly type: "Age"; readonly maxAgeSeconds: number };
}

/**
 * The R2 bucket lock rules: every object locked for `lock` (the default retention, prefix ""),
 * and each prefix kept longer than that locked for its own retention. R2 locks are per prefix and,
 * where several rules match a key, "the strictest (longest) retention requirement takes
 * precedence" (Cloudflare R2 docs, "Bucket locks"), so each prefix is locked exactly as long as it
 * is kept: S3's single default retention cannot do that, R2's rules can.
 */
export function r2LockRules(rules: ReadonlyArray<BackupRetentionRule>, lock: Retention): R2LockRule[] {
  return [
    { id: "default-retention", enabled: true, prefix: "", condition: { type: "Age", maxAgeSeconds: lock.toSeconds() } },
    ...rules
      .filter((r) => r.retention.toSeconds() > lock.toSeconds())
      .map((r) => ({
        id: `lock-${prefixSlug(r.prefix)}`,
        enabled: true as const,
        prefix: r.prefix,
        condition: { type: "Age" as const, maxAgeSeconds: r.retention.toSeconds() },
      })),
  ];
}

/** The TLS-only bucket policy (`aws-enforce-bucket-secure-transport`): deny every request not made over HTTPS. */
export function tlsOnlyPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/** A private, versioned, locked, encrypted backup bucket on S3 or R2 with per-prefix expiry. */
export class BackupBucket extends pulumi.ComponentResource implements BackupBucketRef {
  readonly kind: BackupBucketKind;
  /** The bucket's name. */
  readonly bucketName: pulumi.Output<string>;
  /** Base URL of the S3 API (path-style: `<endpoint>/<bucket>/<key>`). */
  readonly endpoint: pulumi.Output<string>;
  /** SigV4 signing region: the AWS region, or `auto` on R2. */
  readonly region: pulumi.Output<string>;
  /** S3: the bucket ARN. */
  readonly arn?: pulumi.Output<string>;
  /** S3: the KMS key ARN that encrypts the objects. */
  readonly kmsKeyArn?: pulumi.Output<string>;
  /** R2: the Cloudflare account id. */
  readonly accountId?: pulumi.Output<string>;
  /** R2: the jurisdiction. */
  readonly jurisdiction?: R2Jurisdiction;
  /** The per-prefix retention rules, as given (for policies, alerts and backup jobs). */
  readonly retention: ReadonlyArray<BackupRetentionRule>;
  /** The effective object lock (mode and retention). */
  readonly objectLock: Required<BackupObjectLock>;

  private readonly baseName: string;
  private readonly args: BackupBucketArgs;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:storage:${COMPONENT}`, name, {}, opts);
    validateBackupBucketArgs(name, args);
    this.baseName = name;
    this.args = args;
    this.kind = args.kind;
    this.retention = args.retention.map((r) => ({ prefix: r.prefix, retention: r.retention }));
    this.objectLock = {
      mode: args.objectLock?.mode ?? BACKUP_BUCKET_DEFAULTS.objectLockMode,
      retention: args.objectLock?.retention ?? shortestRetention(args.retention),
    };
    const baseBucketName = args.bucketName ?? defaultBucketName(args.context);

    if (args.kind === "s3") {
      const bucketName = pulumi.output(args.bucketNameSuffix).apply((suffix) => {
        const full = s3BucketName(baseBucketName, suffix);
        const problem = bucketNameProblem(full);
        if (problem) {
          throw new pulumi.ResourceError(
            `${COMPONENT} "${name}": \`bucketNameSuffix\` "${suffix}" makes the bucket name "${full}", which is not valid; ${problem}`,
            this,
          );
        }
        return full;
      });
      const key = this.createKey(bucketName);
      this.createKeyAlias(bucketName, key);
      const bucket = this.createBucket(bucketName);
      const versioning = this.createVersioning(bucket);
      this.createEncryption(bucket, key);
      this.createPublicAccessBlock(bucket);
      this.createOwnershipControls(bucket);
      this.createPolicy(bucket);
      this.createLifecycle(bucket, versioning);
      this.createObjectLock(bucket, versioning);
      const region = args.region !== undefined ? pulumi.output(args.region) : aws.getRegionOutput({}, { parent: this }).region;
      this.bucketName = bucket.bucket;
      this.arn = bucket.arn;
      this.kmsKeyArn = key.arn;
      this.region = region;
      this.endpoint = pulumi.interpolate`https://s3.${region}.amazonaws.com`;
    } else {
      const jurisdiction = args.jurisdiction ?? BACKUP_BUCKET_DEFAULTS.jurisdiction;
      const accountId = pulumi.output(args.accountId as pulumi.Input<string>);
      const bucket = this.createR2Bucket(baseBucketName, accountId, jurisdiction);
      this.createR2Lifecycle(bucket, accountId, jurisdiction);
      this.createR2Lock(bucket, accountId, jurisdiction);
      this.bucketName = bucket.name;
      this.accountId = accountId;
      this.jurisdiction = jurisdiction;
      this.region = pulumi.output("auto");
      this.endpoint = accountId.apply((id) => r2Endpoint(id, jurisdiction));
    }

    this.registerOutputs({
      kind: this.kind,
      bucketName: this.bucketName,
      endpoint: this.endpoint,
      region: this.region,
      arn: this.arn,
      kmsKeyArn: this.kmsKeyArn,
      accountId: this.accountId,
    });
  }

  private opts(role: string, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return { parent: this, ...backupBucketResourceOptions(this.args.context, role), ...extra };
  }

  private tags(): Record<string, string> {
    return resourceTags(this.args.context, { "app-platform/backup": "true" });
  }

  // ---- S3 ------------------------------------------------------------------------------------

  private createKey(bucketName: pulumi.Output<string>): aws.kms.Key {
    return new aws.kms.Key(
      `${this.baseName}-key`,
      transform(this.args.transform?.key, {
        description: pulumi.interpolate`Encrypts the objects of the backup bucket ${bucketName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        region: this.args.region,
        tags: this.tags(),
      }),
      this.opts("key"),
    );
  }

  private createKeyAlias(bucketName: pulumi.Output<string>, key: aws.kms.Key): aws.kms.Alias {
    return new aws.kms.Alias(
      `${this.baseName}-key-alias`,
      { name: pulumi.interpolate`alias/${bucketName}`, targetKeyId: key.arn, region: this.args.region },
      this.opts("key-alias"),
    );
  }

  private createBucket(bucketName: pulumi.Output<string>): aws.s3.Bucket {
    return new aws.s3.Bucket(
      `${this.baseName}-bucket`,
      transform(this.args.transform?.bucket, {
        bucket: bucketName,
        objectLockEnabled: true,
        forceDestroy: false,
        region: this.args.region,
        tags: this.tags(),
      }),
      this.opts("bucket"),
    );
  }

  private createVersioning(bucket: aws.s3.Bucket): aws.s3.BucketVersioning {
    return new aws.s3.BucketVersioning(
      `${this.baseName}-versioning`,
      { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" }, region: this.args.region },
      this.opts("versioning"),
    );
  }

  private createEncryption(bucket: aws.s3.Bucket, key: aws.kms.Key): aws.s3.BucketServerSideEncryptionConfiguration {
    return new aws.s3.BucketServerSideEncryptionConfiguration(
      `${this.baseName}-encryption`,
      {
        bucket: bucket.bucket,
        region: this.args.region,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      this.opts("encryption"),
    );
  }

  private createPublicAccessBlock(bucket: aws.s3.Bucket): aws.s3.BucketPublicAccessBlock {
    return new aws.s3.BucketPublicAccessBlock(
      `${this.baseName}-public-access-block`,
      {
        bucket: bucket.bucket,
        region: this.args.region,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      this.opts("public-access-block"),
    );
  }

  private createOwnershipControls(bucket: aws.s3.Bucket): aws.s3.BucketOwnershipControls {
    return new aws.s3.BucketOwnershipControls(
      `${this.baseName}-ownership`,
      { bucket: bucket.bucket, region: this.args.region, rule: { objectOwnership: "BucketOwnerEnforced" } },
      this.opts("ownership"),
    );
  }

  private createPolicy(bucket: aws.s3.Bucket): aws.s3.BucketPolicy {
    return new aws.s3.BucketPolicy(
      `${this.baseName}-policy`,
      transform(this.args.transform?.policy, {
        bucket: bucket.bucket,
        region: this.args.region,
        policy: bucket.arn.apply(tlsOnlyPolicy),
      }),
      this.opts("policy"),
    );
  }

  private createLifecycle(bucket: aws.s3.Bucket, versioning: aws.s3.BucketVersioning): aws.s3.BucketLifecycleConfiguration {
    const noncurrent = this.args.noncurrentVersionRetention ?? BACKUP_BUCKET_DEFAULTS.noncurrentVersionRetention;
    const abort = this.args.abortIncompleteMultipartUpload ?? BACKUP_BUCKET_DEFAULTS.abortIncompleteMultipartUpload;
    const archive = this.args.archiveTransition;
    return new aws.s3.BucketLifecycleConfiguration(
      `${this.baseName}-lifecycle`,
      transform(this.args.transform?.lifecycle, {
        bucket: bucket.bucket,
        region: this.args.region,
        rules: this.retention.map((rule) => ({
          id: `expire-${prefixSlug(rule.prefix)}`,
          status: "Enabled",
          filter: { prefix: rule.prefix },
          expiration: { days: rule.retention.days },
          noncurrentVersionExpiration: { noncurrentDays: noncurrent.days },
          abortIncompleteMultipartUpload: { daysAfterInitiation: abort.toSeconds() / 86_400 },
          ...(archive && rule.retention.days > archive.after.days ? { transitions: [{ days: archive.after.days, storageClass: archive.storageClass }] } : {}),
        })),
      }),
      // Lifecycle rules on a versioned bucket are applied after versioning is on (AWS guidance).
      this.opts("lifecycle", { dependsOn: [versioning] }),
    );
  }

  private createObjectLock(bucket: aws.s3.Bucket, versioning: aws.s3.BucketVersioning): aws.s3.BucketObjectLockConfiguration {
    return new aws.s3.BucketObjectLockConfiguration(
      `${this.baseName}-object-lock`,
      transform(this.args.transform?.objectLock, {
        bucket: bucket.bucket,
        region: this.args.region,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: this.objectLock.mode, days: this.objectLock.retention.days } },
      }),
      this.opts("object-lock", { dependsOn: [versioning] }),
    );
  }

  // ---- R2 ------------------------------------------------------------------------------------

  private createR2Bucket(bucketName: string, accountId: pulumi.Output<string>, jurisdiction: R2Jurisdiction): cloudflare.R2Bucket {
    return new cloudflare.R2Bucket(
      `${this.baseName}-bucket`,
      transform(this.args.transform?.r2Bucket, {
        accountId,
        name: bucketName,
        jurisdiction,
        storageClass: "Standard",
        ...(this.args.location !== undefined ? { location: this.args.location } : {}),
      }),
      this.opts("r2-bucket"),
    );
  }

  private createR2Lifecycle(bucket: cloudflare.R2Bucket, accountId: pulumi.Output<string>, jurisdiction: R2Jurisdiction): cloudflare.R2BucketLifecycle {
    const abort = this.args.abortIncompleteMultipartUpload ?? BACKUP_BUCKET_DEFAULTS.abortIncompleteMultipartUpload;
    return new cloudflare.R2BucketLifecycle(
      `${this.baseName}-lifecycle`,
      transform(this.args.transform?.r2Lifecycle, {
        accountId,
        bucketName: bucket.name,
        jurisdiction,
        rules: this.retention.map((rule) => ({
          id: `expire-${prefixSlug(rule.prefix)}`,
          enabled: true,
          conditions: { prefix: rule.prefix },
          deleteObjectsTransition: { condition: { type: "Age", maxAge: rule.retention.toSeconds() } },
          abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: abort.toSeconds() } },
        })),
      }),
      this.opts("r2-lifecycle"),
    );
  }

  private createR2Lock(bucket: cloudflare.R2Bucket, accountId: pulumi.Output<string>, jurisdiction: R2Jurisdiction): cloudflare.R2BucketLock {
    return new cloudflare.R2BucketLock(
      `${this.baseName}-lock`,
      transform(this.args.transform?.r2Lock, {
        accountId,
        bucketName: bucket.name,
        jurisdiction,
        rules: r2LockRules(this.retention, this.objectLock.retention),
      }),
      this.opts("r2-lock"),
    );
  }
}
