import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks, valueOf } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });

import {
  BACKUP_BUCKET_DATA_ROLES,
  BackupBucket,
  BackupBucketArgs,
  BackupRetentionRule,
  backupBucketResourceOptions,
  r2Endpoint,
  validateBackupBucketArgs,
} from "../../components/data/backup-bucket";
import { PlatformContext } from "../../components/context";
import { Duration, Retention } from "../../components/values";

const staging: PlatformContext = { environment: "staging", product: "codebook", owner: "platform-team" };
const prod: PlatformContext = { ...staging, environment: "prod" };

/** seed 001 §4.1 (daily 30 d, weekly 90 d, Pinecone weekly 90 d) and §2.5 (log archive). */
const CODEBOOK: BackupRetentionRule[] = [
  { prefix: "daily/", retention: Retention.days(30) },
  { prefix: "weekly/", retention: Retention.days(90) },
  { prefix: "pinecone/", retention: Retention.days(90) },
  { prefix: "logs/app/", retention: Retention.days(30) },
  { prefix: "logs/error/", retention: Retention.days(90) },
  { prefix: "logs/debug/", retention: Retention.days(7) },
  { prefix: "logs/audit/", retention: Retention.years(7) },
];
const SIMPLE: BackupRetentionRule[] = [
  { prefix: "daily/", retention: Retention.days(30) },
  { prefix: "weekly/", retention: Retention.days(90) },
];
const ACCOUNT = "0123456789abcdef0123456789abcdef";

const T = {
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  r2: "cloudflare:index/r2Bucket:R2Bucket",
  r2Lifecycle: "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
  r2Lock: "cloudflare:index/r2BucketLock:R2BucketLock",
};

const s3Args = (over: Partial<BackupBucketArgs> = {}): BackupBucketArgs => ({
  context: staging,
  kind: "s3",
  retention: CODEBOOK,
  ...over,
});
const r2Args = (over: Partial<BackupBucketArgs> = {}): BackupBucketArgs => ({
  context: { ...staging, product: "ara" },
  kind: "r2",
  accountId: ACCOUNT,
  retention: [{ prefix: "daily/", retention: Retention.days(30) }],
  ...over,
});

/** The validation message for `args`, or "" when they are valid. */
function problemsOf(args: BackupBucketArgs): string {
  try {
    validateBackupBucketArgs("backups", args);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

const children = () => rec.customChildren();

beforeEach(() => rec.reset());

describe("BackupBucket on S3", () => {
  it("creates exactly the hardened S3 children, named after the component", async () => {
    new BackupBucket("backups", s3Args());
    await rec.settle();
    expect(rec.one("app-platform:storage:BackupBucket", "backups").custom).toBe(false);
    expect(children()).toEqual(
      [
        `${T.key} backups-key`,
        `${T.alias} backups-key-alias`,
        `${T.bucket} backups-bucket`,
        `${T.versioning} backups-versioning`,
        `${T.sse} backups-encryption`,
        `${T.pab} backups-public-access-block`,
        `${T.ownership} backups-ownership`,
        `${T.policy} backups-policy`,
        `${T.lifecycle} backups-lifecycle`,
        `${T.lock} backups-object-lock`,
      ].sort(),
    );
  });

  it("names the bucket <product>-<environment>-backups, enables object lock and tags it", async () => {
    new BackupBucket("backups", s3Args());
    await rec.settle();
    const b = rec.one(T.bucket).inputs;
    expect(b.bucket).toBe("codebook-staging-backups");
    expect(b.objectLockEnabled).toBe(true);
    expect(b.forceDestroy).toBe(false);
    expect(b.tags).toEqual({
      product: "codebook",
      environment: "staging",
      owner: "platform-team",
      "managed-by": "pulumi",
      "app-platform/backup": "true",
    });
  });

  it("encrypts with a rotating customer KMS key and a bucket key", async () => {
    new BackupBucket("backups", s3Args());
    await rec.settle();
    const key = rec.one(T.key).inputs;
    expect(key.enableKeyRotation).toBe(true);
    expect(key.deletionWindowInDays).toBe(30);
    expect(rec.one(T.alias).inputs).toMatchObject({ name: "alias/codebook-staging-backups", targetKeyId: "arn:aws:mock:::backups-key" });
    const sse = rec.one(T.sse).inputs;
    expect(sse.bucket).toBe("codebook-staging-backups");
    expect(sse.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:mock:::backups-key" }, bucketKeyEnabled: true },
    ]);
  });

  it("turns on versioning, blocks all public access and enforces bucket-owner ownership", async () => {
    new BackupBucket("backups", s3Args());
    await rec.settle();
    expect(rec.one(T.versioning).inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(rec.one(T.pab).inputs).toEqual({
      bucket: "codebook-staging-backups",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(rec.one(T.ownership).inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("has a bucket policy that only denies non-TLS requests", async () => {
    new BackupBucket("backups", s3Args());
    await rec.settle();
    const policy = JSON.parse(rec.one(T.policy).inputs.policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:mock:::backups-bucket", "arn:aws:mock:::backups-bucket/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(policy.Statement.filter((s: any) => s.Effect === "Allow")).toEqual([]);
  });

  it("expires each prefix after its retention, with noncurrent expiry and a 7-day multipart abort", async () => {
    new BackupBucket("backups", s3Args());
    await rec.settle();
    const rules = rec.one(T.lifecycle).inputs.rules;
    expect(rules.map((r: any) => [r.id, r.filter.prefix, r.expiration.days])).toEqual([
      ["expire-daily", "daily/", 30],
      ["expire-weekly", "weekly/", 90],
      ["expire-pinecone", "pinecone/", 90],
      ["expire-logs-app", "logs/app/", 30],
      ["expire-logs-error", "logs/error/", 90],
      ["expire-logs-debug", "logs/debug/", 7],
      ["expire-logs-audit", "logs/audit/", 2555],
    ]);
    for (const r of rules) {
      expect(r.status).toBe("Enabled");
      expect(r.noncurrentVersionExpiration).toEqual({ noncurrentDays: 1 });
      expect(r.abortIncompleteMultipartUpload).toEqual({ daysAfterInitiation: 7 });
      expect(r.transitions).toBeUndefined();
    }
  });

  it("takes noncurrent retention, abort window and an archive transition for the prefixes that outlive it", async () => {
    new BackupBucket(
      "backups",
      s3Args({
        noncurrentVersionRetention: Retention.days(14),
        abortIncompleteMultipartUpload: Duration.days(2),
        archiveTransition: { after: Retention.days(60), storageClass: "GLACIER_IR" },
      }),
    );
    await rec.settle();
    const rules = rec.one(T.lifecycle).inputs.rules;
    const byId = Object.fromEntries(rules.map((r: any) => [r.id, r]));
    expect(byId["expire-weekly"].transitions).toEqual([{ days: 60, storageClass: "GLACIER_IR" }]);
    expect(byId["expire-logs-audit"].transitions).toEqual([{ days: 60, storageClass: "GLACIER_IR" }]);
    expect(byId["expire-daily"].transitions).toBeUndefined();
    expect(byId["expire-logs-debug"].transitions).toBeUndefined();
    expect(rules[0].noncurrentVersionExpiration).toEqual({ noncurrentDays: 14 });
    expect(rules[0].abortIncompleteMultipartUpload).toEqual({ daysAfterInitiation: 2 });
  });

  it("locks objects in GOVERNANCE mode for the shortest retention by default", async () => {
    const b = new BackupBucket("backups", s3Args());
    await rec.settle();
    expect(rec.one(T.lock).inputs).toEqual({
      bucket: "codebook-staging-backups",
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 7 } },
    });
    expect(b.objectLock.retention.days).toBe(7);
  });

  it("uses an explicit object lock", async () => {
    new BackupBucket("backups", s3Args({ retention: SIMPLE, objectLock: { mode: "COMPLIANCE", retention: Retention.days(30) } }));
    await rec.settle();
    expect(rec.one(T.lock).inputs.rule).toEqual({ defaultRetention: { mode: "COMPLIANCE", days: 30 } });
  });

  it("exports name, ARNs, the provider region's endpoint and the plain retention rules", async () => {
    const b = new BackupBucket("backups", s3Args());
    expect(b.kind).toBe("s3");
    expect(await valueOf(b.bucketName)).toBe("codebook-staging-backups");
    expect(await valueOf(b.arn!)).toBe("arn:aws:mock:::backups-bucket");
    expect(await valueOf(b.kmsKeyArn!)).toBe("arn:aws:mock:::backups-key");
    expect(await valueOf(b.region)).toBe("us-east-1");
    expect(await valueOf(b.endpoint)).toBe("https://s3.us-east-1.amazonaws.com");
    expect(b.accountId).toBeUndefined();
    expect(b.retention.map((r) => [r.prefix, r.retention.days])).toEqual(CODEBOOK.map((r) => [r.prefix, r.retention.days]));
    await rec.settle();
    expect(rec.calls.map((c) => c.token)).toContain("aws:index/getRegion:getRegion");
  });

  it("places every child in an explicit region and derives the endpoint from it", async () => {
    const b = new BackupBucket("backups", s3Args({ region: "eu-west-1", bucketName: "acme-backups" }));
    expect(await valueOf(b.endpoint)).toBe("https://s3.eu-west-1.amazonaws.com");
    await rec.settle();
    for (const r of rec.resources.filter((x) => x.custom)) expect(r.inputs.region).toBe("eu-west-1");
    expect(rec.one(T.bucket).inputs.bucket).toBe("acme-backups");
    expect(rec.calls.map((c) => c.token)).not.toContain("aws:index/getRegion:getRegion");
  });

  it("lets a transform adjust a child's args", async () => {
    new BackupBucket("backups", s3Args({ transform: { key: (a) => ({ ...a, description: "custom" }) } }));
    await rec.settle();
    expect(rec.one(T.key).inputs.description).toBe("custom");
  });
});

describe("BackupBucket on R2", () => {
  it("creates only the bucket, its lifecycle and its lock (no domains, no CORS)", async () => {
    new BackupBucket("backups", r2Args());
    await rec.settle();
    expect(children()).toEqual([`${T.r2} backups-bucket`, `${T.r2Lifecycle} backups-lifecycle`, `${T.r2Lock} backups-lock`].sort());
    expect(rec.resources.some((r) => /Domain|Cors/.test(r.type))).toBe(false);
  });

  it("creates the bucket in the default jurisdiction with no location by default", async () => {
    new BackupBucket("backups", r2Args());
    await rec.settle();
    expect(rec.one(T.r2).inputs).toEqual({
      accountId: ACCOUNT,
      name: "ara-staging-backups",
      jurisdiction: "default",
      storageClass: "Standard",
    });
  });

  it("deletes each prefix after its retention in seconds and aborts multipart uploads after 7 days", async () => {
    new BackupBucket("backups", r2Args({ retention: SIMPLE }));
    await rec.settle();
    const lc = rec.one(T.r2Lifecycle).inputs;
    expect(lc.accountId).toBe(ACCOUNT);
    expect(lc.bucketName).toBe("ara-staging-backups");
    expect(lc.jurisdiction).toBe("default");
    expect(lc.rules).toEqual([
      {
        id: "expire-daily",
        enabled: true,
        conditions: { prefix: "daily/" },
        deleteObjectsTransition: { condition: { type: "Age", maxAge: 30 * 86_400 } },
        abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * 86_400 } },
      },
      {
        id: "expire-weekly",
        enabled: true,
        conditions: { prefix: "weekly/" },
        deleteObjectsTransition: { condition: { type: "Age", maxAge: 90 * 86_400 } },
        abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * 86_400 } },
      },
    ]);
  });

  it("locks every object for the shortest retention, and a prefix kept longer for its own", async () => {
    new BackupBucket("backups", r2Args({ retention: SIMPLE }));
    await rec.settle();
    expect(rec.one(T.r2Lock).inputs.rules).toEqual([
      { id: "default-retention", enabled: true, prefix: "", condition: { type: "Age", maxAgeSeconds: 30 * 86_400 } },
      { id: "lock-weekly", enabled: true, prefix: "weekly/", condition: { type: "Age", maxAgeSeconds: 90 * 86_400 } },
    ]);
  });

  it("with one prefix, has only the default rule (ARA's backups: daily/ 30 d)", async () => {
    new BackupBucket("backups", r2Args());
    await rec.settle();
    expect(rec.one(T.r2Lock).inputs.rules).toEqual([
      { id: "default-retention", enabled: true, prefix: "", condition: { type: "Age", maxAgeSeconds: 30 * 86_400 } },
    ]);
  });

  it("locks each prefix kept longer than the shortest for its own retention (R2 locks are per prefix; the longest matching rule wins)", async () => {
    new BackupBucket("backups", r2Args({ retention: CODEBOOK.filter((r) => r.prefix.startsWith("logs/") && r.prefix !== "logs/audit/") }));
    await rec.settle();
    expect(rec.one(T.r2Lock).inputs.rules).toEqual([
      { id: "default-retention", enabled: true, prefix: "", condition: { type: "Age", maxAgeSeconds: 7 * 86_400 } },
      { id: "lock-logs-app", enabled: true, prefix: "logs/app/", condition: { type: "Age", maxAgeSeconds: 30 * 86_400 } },
      { id: "lock-logs-error", enabled: true, prefix: "logs/error/", condition: { type: "Age", maxAgeSeconds: 90 * 86_400 } },
    ]);
  });

  it("exports the account endpoint, signing region auto and no S3 ARNs", async () => {
    const b = new BackupBucket("backups", r2Args());
    expect(b.kind).toBe("r2");
    expect(await valueOf(b.endpoint)).toBe(`https://${ACCOUNT}.r2.cloudflarestorage.com`);
    expect(await valueOf(b.bucketName)).toBe("ara-staging-backups");
    expect(await valueOf(b.accountId!)).toBe(ACCOUNT);
    expect(await valueOf(b.region)).toBe("auto");
    expect(b.jurisdiction).toBe("default");
    expect(b.arn).toBeUndefined();
    expect(b.kmsKeyArn).toBeUndefined();
  });

  it("honours location and the EU jurisdiction (and its endpoint)", async () => {
    const b = new BackupBucket("backups", r2Args({ location: "weur", jurisdiction: "eu" }));
    expect(await valueOf(b.endpoint)).toBe(`https://${ACCOUNT}.eu.r2.cloudflarestorage.com`);
    await rec.settle();
    expect(rec.one(T.r2).inputs).toMatchObject({ location: "weur", jurisdiction: "eu" });
    expect(rec.one(T.r2Lock).inputs.jurisdiction).toBe("eu");
    expect(r2Endpoint("abc", "fedramp")).toBe("https://abc.fedramp.r2.cloudflarestorage.com");
  });
});

describe("BackupBucket protection", () => {
  it("protects and retains the data-bearing children in prod only", () => {
    for (const role of BACKUP_BUCKET_DATA_ROLES) {
      expect(backupBucketResourceOptions(prod, role)).toEqual({ protect: true, retainOnDelete: true });
      expect(backupBucketResourceOptions(staging, role)).toEqual({ protect: false, retainOnDelete: false });
    }
    expect(BACKUP_BUCKET_DATA_ROLES).toEqual(["key", "bucket", "object-lock", "r2-bucket", "r2-lock"]);
    expect(backupBucketResourceOptions(prod, "policy")).toEqual({});
    expect(backupBucketResourceOptions(prod, "lifecycle")).toEqual({});
  });

  // `protect` is not sent to the mock monitor, so read what each child was constructed with
  // (Pulumi's Resource keeps it in `__protect`; children are tracked in `__childResources`).
  const protectedChildren = (c: pulumi.ComponentResource): string[] =>
    [...((c as any).__childResources as Set<any>)]
      .filter((r) => r.__protect === true)
      .map((r) => r.__name)
      .sort();

  it.each([
    ["s3", "prod", ["backups-bucket", "backups-key", "backups-object-lock"]],
    ["s3", "staging", []],
    ["r2", "prod", ["backups-bucket", "backups-lock"]],
    ["r2", "staging", []],
  ] as const)("%s in %s protects %j", async (kind, env, expected) => {
    const context = env === "prod" ? prod : staging;
    const b = new BackupBucket("backups", kind === "s3" ? s3Args({ context }) : r2Args({ context }));
    await rec.settle();
    expect(protectedChildren(b)).toEqual([...expected].sort());
    expect(await valueOf(b.bucketName)).toBe(`codebook-${env}-backups`);
  });
});

describe("validateBackupBucketArgs", () => {
  it("accepts the codebook (S3) and ARA (R2) buckets", () => {
    expect(problemsOf(s3Args())).toBe("");
    expect(problemsOf(r2Args())).toBe("");
  });

  it.each([
    ["upper case", "Codebook-Backups"],
    ["too short", "ab"],
    ["too long", "a".repeat(64)],
    ["dots", "codebook.backups"],
    ["leading hyphen", "-codebook"],
  ])("rejects a bucket name with %s", (_, bucketName) => {
    expect(problemsOf(s3Args({ bucketName }))).toContain(`\`bucketName\` "${bucketName}" is not a valid bucket name`);
  });

  it("rejects S3-reserved bucket names", () => {
    expect(problemsOf(s3Args({ bucketName: "xn--backups" }))).toContain("reserved by S3");
    expect(problemsOf(s3Args({ bucketName: "backups-s3alias" }))).toContain("reserved by S3");
  });

  it("rejects an unknown kind", () => {
    expect(problemsOf(s3Args({ kind: "gcs" as any }))).toContain('`kind` is "gcs"; use "s3" (AWS) or "r2" (Cloudflare)');
  });

  it("needs at least one retention rule", () => {
    expect(problemsOf(s3Args({ retention: [] }))).toContain("`retention` is empty");
  });

  it("rejects prefixes that do not end in / or are not lower-case path segments", () => {
    expect(problemsOf(s3Args({ retention: [{ prefix: "daily", retention: Retention.days(30) }] }))).toContain('`retention` prefix "daily" is not a key prefix');
    expect(problemsOf(s3Args({ retention: [{ prefix: "/daily/", retention: Retention.days(30) }] }))).toContain(
      '`retention` prefix "/daily/" is not a key prefix',
    );
  });

  it("rejects duplicate and overlapping prefixes", () => {
    const dup = [
      { prefix: "daily/", retention: Retention.days(30) },
      { prefix: "daily/", retention: Retention.days(60) },
    ];
    expect(problemsOf(s3Args({ retention: dup }))).toContain('`retention` prefix "daily/" appears twice');
    const nested = [
      { prefix: "logs/", retention: Retention.days(30) },
      { prefix: "logs/audit/", retention: Retention.years(7) },
    ];
    expect(problemsOf(s3Args({ retention: nested }))).toContain('`retention` prefixes "logs/" and "logs/audit/" overlap');
  });

  it("rejects an abort window over 7 days, of 0, or of part days on S3", () => {
    expect(problemsOf(s3Args({ abortIncompleteMultipartUpload: Duration.days(8) }))).toContain(
      "`abortIncompleteMultipartUpload` is 8d; incomplete uploads must be aborted after more than 0 and at most 7 days",
    );
    expect(problemsOf(r2Args({ abortIncompleteMultipartUpload: Duration.days(8) }))).toContain("`abortIncompleteMultipartUpload` is 8d");
    expect(problemsOf(s3Args({ abortIncompleteMultipartUpload: Duration.seconds(0) }))).toContain("`abortIncompleteMultipartUpload` is 0s");
    expect(problemsOf(s3Args({ abortIncompleteMultipartUpload: Duration.hours(12) }))).toContain("S3 counts it in whole days");
    expect(problemsOf(r2Args({ abortIncompleteMultipartUpload: Duration.hours(12) }))).toBe("");
  });

  it("rejects an object lock longer than any prefix's expiry", () => {
    const msg = problemsOf(s3Args({ objectLock: { retention: Retention.days(30) } }));
    expect(msg).toContain(
      '`objectLock.retention` (30d) is longer than the retention of "logs/debug/" (7d); objects there could not expire on time, so lock for at most 7d',
    );
    expect(problemsOf(r2Args({ objectLock: { retention: Retention.days(31) } }))).toContain(
      '`objectLock.retention` (31d) is longer than the retention of "daily/" (30d)',
    );
    expect(problemsOf(s3Args({ objectLock: { retention: Retention.days(7) } }))).toBe("");
  });

  it("rejects an archive transition that is not before any expiry", () => {
    expect(problemsOf(s3Args({ retention: SIMPLE, archiveTransition: { after: Retention.days(90), storageClass: "GLACIER" } }))).toContain(
      "`archiveTransition.after` is 90d, not before any prefix expires (longest retention 90d)",
    );
  });

  it("requires accountId for R2 and rejects S3-only arguments there", () => {
    expect(problemsOf(r2Args({ accountId: undefined }))).toContain('`accountId` is required for `kind: "r2"`');
    expect(problemsOf(r2Args({ noncurrentVersionRetention: Retention.days(30) }))).toContain("`noncurrentVersionRetention` applies to S3 only");
    expect(problemsOf(r2Args({ archiveTransition: { after: Retention.days(10), storageClass: "GLACIER" } }))).toContain(
      "`archiveTransition` applies to S3 only",
    );
    expect(problemsOf(r2Args({ region: "us-east-1" }))).toContain("`region` applies to S3 only");
  });

  it("rejects R2-only arguments on S3", () => {
    const msg = problemsOf(s3Args({ accountId: ACCOUNT, location: "enam", jurisdiction: "eu" }));
    expect(msg).toContain('`accountId` applies to R2 only; remove it for `kind: "s3"`');
    expect(msg).toContain("`location` applies to R2 only");
    expect(msg).toContain("`jurisdiction` applies to R2 only");
  });

  it("throws from the constructor before creating anything, listing every problem", async () => {
    expect(() => new BackupBucket("bad", s3Args({ bucketName: "Bad", abortIncompleteMultipartUpload: Duration.days(9) }))).toThrow(
      /BackupBucket "bad" has invalid arguments:\n {2}- `bucketName` "Bad"[\s\S]*\n {2}- `abortIncompleteMultipartUpload` is 9d/,
    );
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom)).toEqual([]);
  });
});

describe("S3 bucket names are global: the unique suffix", () => {
  it("appends `bucketNameSuffix` to the S3 bucket, its KMS alias and outputs", async () => {
    const b = new BackupBucket("backups", s3Args({ bucketNameSuffix: "123456789012" }));
    await rec.settle();
    expect(rec.one(T.bucket).inputs.bucket).toBe("codebook-staging-backups-123456789012");
    expect(rec.one(T.alias).inputs.name).toBe("alias/codebook-staging-backups-123456789012");
    expect(await valueOf(b.bucketName)).toBe("codebook-staging-backups-123456789012");
  });

  it("takes an output suffix (the account id) and checks it when it resolves", async () => {
    const b = new BackupBucket("backups", s3Args({ bucketNameSuffix: pulumi.output("210987654321") }));
    await rec.settle();
    expect(await valueOf(b.bucketName)).toBe("codebook-staging-backups-210987654321");
  });

  it.each([
    ["a dot", "acme.io", "no dots"],
    ["upper case", "ACME", "lower-case"],
    ["a name over 63 characters", "x".repeat(40), "it has 65 characters; use 3-63"],
    ["a reserved suffix", "x--ol-s3", "reserved by S3"],
    ["an empty suffix", "", "the suffix is empty"],
  ])("rejects a suffix with %s, naming `bucketNameSuffix`", (_, bucketNameSuffix, why) => {
    const p = problemsOf(s3Args({ bucketNameSuffix }));
    expect(p).toContain(`\`bucketNameSuffix\` "${bucketNameSuffix}" makes the bucket name`);
    expect(p).toContain(why);
  });

  it("R2 names are per account: a suffix is refused there", () => {
    expect(problemsOf(r2Args({ bucketNameSuffix: "x" }))).toContain("`bucketNameSuffix` applies to S3 only");
  });
});
