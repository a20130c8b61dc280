import { describe, expect, it } from "vitest";
import { missingPublicAccessBlock } from "../../policies/aws/missing-public-access-block";
import { disableBucketAcls } from "../../policies/aws/disable-bucket-acls";
import { enableBucketKmsEncryption } from "../../policies/aws/enable-bucket-kms-encryption";
import { enableBucketVersioning } from "../../policies/aws/enable-bucket-versioning";
import { enableBackupObjectLock } from "../../policies/aws/enable-backup-object-lock";
import { configureBucketLifecycle } from "../../policies/aws/configure-bucket-lifecycle";
import { enforceBucketSecureTransport } from "../../policies/aws/enforce-bucket-secure-transport";
import { enableBucketAccessLogging } from "../../policies/aws/enable-bucket-access-logging";
import { enableBackupReplication } from "../../policies/aws/enable-backup-replication";
import { enableKmsKeyRotation } from "../../policies/aws/enable-kms-key-rotation";
import { UNKNOWN_STRING, urnOf } from "../../tools/engine/pack/types";
import { deployment, kmsKey, s3BackupSet, s3Bucket, r2Bucket } from "./fixtures";
import { edit, expectClean, expectNotApplicable, expectViolation, PROD, type Fixture } from "./helpers";

const isType = (suffix: string) => (f: Fixture) => f.type.endsWith(`:${suffix}`);

/** The compliant set with the companion of type `suffix` changed, or removed when `change` is undefined. */
function withCompanion(suffix: string, change?: (props: any) => void): Fixture[] {
  const set = s3BackupSet();
  return change === undefined ? set.filter((f) => !isType(suffix)(f)) : set.map((f) => (isType(suffix)(f) ? edit(f, change) : f));
}

/** The compliant set as seen in preview: the bucket's name is unknown, companions join by dependency. */
function inPreview(): Fixture[] {
  return s3BackupSet().map((f) => (f.type === "aws:s3/bucket:Bucket" ? f : edit(f, (p) => (p.bucket = UNKNOWN_STRING))));
}

/** The compliant set with literal names only (no dependency information). */
function byNameOnly(): Fixture[] {
  return s3BackupSet().map((f) => ({ ...f, propertyDependencies: undefined, dependencies: undefined }));
}

const s3Rules = [
  missingPublicAccessBlock,
  disableBucketAcls,
  enableBucketKmsEncryption,
  enableBucketVersioning,
  enableBackupObjectLock,
  configureBucketLifecycle,
  enforceBucketSecureTransport,
  enableBucketAccessLogging,
  enableBackupReplication,
];

describe("S3 companion joins", () => {
  for (const rule of s3Rules) {
    it(`${rule.name}: the compliant backup bucket passes (joined by dependency, in preview, and by name)`, async () => {
      await expectClean(rule, s3BackupSet());
      await expectClean(rule, inPreview());
      await expectClean(rule, byNameOnly());
    });
    it(`${rule.name}: does not apply to a stack without S3 buckets`, () => expectNotApplicable(rule, [r2Bucket()]));
  }
  it("does not join a companion of another bucket", async () => {
    const other = s3Bucket("ara-data", "ara-data");
    const stolen = s3BackupSet().filter(isType("BucketVersioning"));
    const set = [...s3BackupSet(other).filter((f) => !isType("BucketVersioning")(f)), ...stolen];
    const v = await expectViolation(enableBucketVersioning, set, /S3 bucket "ara-data" has no BucketVersioning/);
    expect(v.urn).toBe(urnOf(other));
  });
});

describe("aws-missing-public-access-block", () => {
  const rule = missingPublicAccessBlock;
  it("flags a missing block", () =>
    expectViolation(rule, withCompanion("BucketPublicAccessBlock"), /S3 bucket "codebook-backups-prod" has no BucketPublicAccessBlock/));
  it("flags a flag left off", () =>
    expectViolation(
      rule,
      withCompanion("BucketPublicAccessBlock", (p) => (p.restrictPublicBuckets = false)),
      /leaves restrictPublicBuckets off/,
    ));
});

describe("aws-disable-bucket-acls", () => {
  const rule = disableBucketAcls;
  it("flags missing or weaker ownership controls", async () => {
    await expectViolation(rule, withCompanion("BucketOwnershipControls"), /does not disable ACLs/);
    await expectViolation(
      rule,
      withCompanion("BucketOwnershipControls", (p) => (p.rule.objectOwnership = "ObjectWriter")),
      /does not disable ACLs/,
    );
  });
  it("flags public ACLs (companion canned, companion grant, inline)", async () => {
    const bucket = s3Bucket();
    const acl = (props: Record<string, unknown>): Fixture => ({
      type: "aws:s3/bucketAcl:BucketAcl",
      name: "acl",
      props: { bucket: bucket.props.bucket, ...props },
      propertyDependencies: { bucket: [urnOf(bucket)] },
    });
    await expectViolation(rule, [...s3BackupSet(), acl({ acl: "public-read" })], /BucketAcl "acl" makes it public \("public-read"\)/);
    await expectViolation(
      rule,
      [
        ...s3BackupSet(),
        acl({
          accessControlPolicy: {
            owner: { id: "x" },
            grants: [{ permission: "READ", grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" } }],
          },
        }),
      ],
      /grant to AllUsers/,
    );
    await expectViolation(rule, s3BackupSet(edit(s3Bucket(), (p) => (p.acl = "public-read-write"))), /sets the public canned ACL "public-read-write"/);
  });
});

describe("aws-enable-bucket-kms-encryption", () => {
  const rule = enableBucketKmsEncryption;
  const sse = (change: (r: any) => void) => withCompanion("BucketServerSideEncryptionConfiguration", (p) => change(p.rules[0]));
  it("flags missing and AES256 encryption", async () => {
    await expectViolation(rule, withCompanion("BucketServerSideEncryptionConfiguration"), /has no default encryption configuration/);
    await expectViolation(
      rule,
      sse((r) => (r.applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" })),
      /is encrypted with AES256/,
    );
  });
  it("flags SSE-KMS without a bucket key; accepts DSSE without one", async () => {
    await expectViolation(
      rule,
      sse((r) => (r.bucketKeyEnabled = false)),
      /without an S3 Bucket Key/,
    );
    await expectClean(
      rule,
      sse((r) => {
        r.applyServerSideEncryptionByDefault.sseAlgorithm = "aws:kms:dsse";
        delete r.bucketKeyEnabled;
      }),
    );
  });
  it("advises a customer-managed key", async () => {
    await expectViolation(
      rule,
      sse((r) => delete r.applyServerSideEncryptionByDefault.kmsMasterKeyId),
      /AWS-managed key aws\/s3/,
      "advisory",
    );
  });
});

describe("aws-enable-bucket-versioning", () => {
  const rule = enableBucketVersioning;
  it("flags missing and suspended versioning", async () => {
    await expectViolation(rule, withCompanion("BucketVersioning"), /has no BucketVersioning/);
    await expectViolation(
      rule,
      withCompanion("BucketVersioning", (p) => (p.versioningConfiguration.status = "Suspended")),
      /has versioning Suspended/,
    );
  });
  it("accepts inline versioning", () => expectClean(rule, [edit(s3Bucket(), (p) => (p.versioning = { enabled: true }))]));
});

describe("aws-enable-backup-object-lock (backups)", () => {
  const rule = enableBackupObjectLock;
  it("flags a backup bucket without object lock or default retention", async () => {
    await expectViolation(rule, s3BackupSet(edit(s3Bucket(), (p) => delete p.objectLockEnabled)), /is created without object lock/);
    await expectViolation(rule, withCompanion("BucketObjectLockConfiguration"), /has no object lock default retention/);
    await expectViolation(
      rule,
      withCompanion("BucketObjectLockConfiguration", (p) => (p.rule.defaultRetention = { mode: "GOVERNANCE" })),
      /no object lock default retention/,
    );
  });
  it("ignores buckets that are not backups, unless configured as backups", async () => {
    const data = edit(s3Bucket("ara-data", "ara-data"), (p) => {
      delete p.tags["app-platform/backup"];
      delete p.objectLockEnabled;
    });
    await expectClean(rule, [data]);
    await expectViolation(rule, [data], /without object lock/, "mandatory", { ...PROD, config: { [rule.name]: { backupBuckets: ["ara-data"] } } });
  });
});

describe("aws-configure-bucket-lifecycle", () => {
  const rule = configureBucketLifecycle;
  const rule0 = (change: (r: any) => void) => withCompanion("BucketLifecycleConfiguration", (p) => change(p.rules[0]));
  it("flags a missing lifecycle and a disabled rule", async () => {
    await expectViolation(rule, withCompanion("BucketLifecycleConfiguration"), /has no BucketLifecycleConfiguration/);
    await expectViolation(
      rule,
      rule0((r) => (r.status = "Disabled")),
      /lifecycle rule "expire-after-retention" is Disabled/,
    );
  });
  it("flags expiry before the declared retention (tag)", async () => {
    await expectViolation(
      rule,
      rule0((r) => (r.expiration.days = 7)),
      /expires objects after 7 days, before the declared retention of 30 days/,
    );
  });
  it("lets noncurrent versions go early only where the object lock covers the retention", async () => {
    // The fixture locks every version for 30 days, its declared retention: 1 day is enough.
    await expectClean(
      rule,
      rule0((r) => (r.noncurrentVersionExpiration.noncurrentDays = 1)),
    );
    const oneDay = rule0((r) => (r.noncurrentVersionExpiration.noncurrentDays = 1));
    const lockOf = (set: Fixture[], days?: number) =>
      days === undefined
        ? set.filter((f) => !isType("BucketObjectLockConfiguration")(f))
        : set.map((f) => (isType("BucketObjectLockConfiguration")(f) ? edit(f, (p) => (p.rule.defaultRetention.days = days)) : f));
    await expectViolation(
      rule,
      lockOf(oneDay, 7),
      /deletes noncurrent versions after 1 days and the object lock keeps versions 7 days, so an overwritten or deleted version can go before the declared retention of 30 days/,
    );
    await expectViolation(rule, lockOf(oneDay), /object lock keeps versions 0 days/);
    await expectClean(
      rule,
      lockOf(
        rule0(() => undefined),
        undefined,
      ),
    ); // 30 noncurrent days alone still suffice
  });
  it("takes the retention from config when the bucket has no tag", async () => {
    const untagged = s3BackupSet(edit(s3Bucket(), (p) => delete p.tags["retention-days"]));
    await expectClean(rule, untagged);
    await expectViolation(rule, untagged, /expires objects after 30 days, before the declared retention of 90 days/, "mandatory", {
      ...PROD,
      config: { [rule.name]: { retentionDays: { "codebook-backups-prod": 90 } } },
    });
  });
  it("flags a missing or slow multipart abort", async () => {
    await expectViolation(
      rule,
      rule0((r) => delete r.abortIncompleteMultipartUpload),
      /never aborts incomplete multipart uploads within 7 days/,
    );
    await expectViolation(
      rule,
      rule0((r) => (r.abortIncompleteMultipartUpload.daysAfterInitiation = 30)),
      /never aborts incomplete multipart uploads/,
    );
  });
});

describe("an audit-log bucket (components/data/product-data.ts productLogs: COMPLIANCE, locked and expired at 2,557 days)", () => {
  /** seed 001 §2.5 audit logs: declared 2,557 days (7 calendar years at most), locked as long, 1 noncurrent day. */
  const auditSet = (lock: Record<string, unknown>): Fixture[] =>
    s3BackupSet(edit(s3Bucket("codebook-prod-audit-logs", "codebook-audit-logs-bucket"), (p) => (p.tags["retention-days"] = "2557"))).map((f) =>
      isType("BucketLifecycleConfiguration")(f)
        ? edit(f, (p) => {
            p.rules[0].filter = { prefix: "logs/audit/" };
            p.rules[0].expiration.days = 2557;
            p.rules[0].noncurrentVersionExpiration.noncurrentDays = 1;
          })
        : isType("BucketObjectLockConfiguration")(f)
          ? edit(f, (p) => (p.rule.defaultRetention = { mode: "COMPLIANCE", ...lock }))
          : f,
    );
  for (const rule of s3Rules) {
    it(`${rule.name}: passes with a lock of 2,557 days in COMPLIANCE mode`, () => expectClean(rule, auditSet({ days: 2557 })));
  }
  it("aws-configure-bucket-lifecycle: a `years: 7` lock counts 2,555 days (S3 documents no longer year), short of the 2,557-day retention", async () => {
    await expectViolation(
      configureBucketLifecycle,
      auditSet({ years: 7 }),
      /deletes noncurrent versions after 1 days and the object lock keeps versions 2555 days, so an overwritten or deleted version can go before the declared retention of 2557 days/,
    );
  });
});

describe("aws-enforce-bucket-secure-transport", () => {
  const rule = enforceBucketSecureTransport;
  const withPolicy = (doc: unknown) => withCompanion("BucketPolicy", (p) => (p.policy = typeof doc === "string" ? doc : JSON.stringify(doc)));
  it("flags a missing policy", () => expectViolation(rule, withCompanion("BucketPolicy"), /has no bucket policy, so plain-HTTP requests are accepted/));
  it("flags a policy without the TLS deny", async () => {
    await expectViolation(rule, withPolicy({ Version: "2012-10-17", Statement: [] }), /does not deny plain-HTTP requests/);
  });
  it("flags an Allow for Principal *", async () => {
    const doc = JSON.parse(s3BackupSet().find(isType("BucketPolicy"))!.props.policy);
    doc.Statement.push({ Sid: "Public", Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "*" });
    await expectViolation(rule, withPolicy(doc), /statement "Public" .* allows Principal "\*"/);
  });
  it("flags invalid JSON and accepts a PolicyDocument object", async () => {
    await expectViolation(rule, withPolicy("{not json"), /is not valid JSON/);
    const doc = JSON.parse(s3BackupSet().find(isType("BucketPolicy"))!.props.policy);
    await expectClean(
      rule,
      withCompanion("BucketPolicy", (p) => (p.policy = doc)),
    );
  });
  it("defers a policy computed during preview with an advisory note", async () => {
    await expectViolation(
      rule,
      withCompanion("BucketPolicy", (p) => (p.policy = UNKNOWN_STRING)),
      /computed during preview/,
      "advisory",
    );
  });
});

describe("aws-enable-bucket-access-logging", () => {
  const rule = enableBucketAccessLogging;
  it("advises a bucket without logging", () => expectViolation(rule, withCompanion("BucketLogging"), /has no access logging/, "advisory"));
  it("exempts the log target bucket", async () => {
    const logs = s3Bucket("codebook-logs-prod", "codebook-logs");
    await expectClean(rule, [...s3BackupSet(), logs]);
  });
});

describe("aws-enable-backup-replication (backups)", () => {
  const rule = enableBackupReplication;
  it("advises a backup bucket without replication", async () => {
    await expectViolation(rule, withCompanion("BucketReplicationConfig"), /is not replicated/, "advisory");
    await expectViolation(
      rule,
      withCompanion("BucketReplicationConfig", (p) => (p.rules[0].status = "Disabled")),
      /is not replicated/,
      "advisory",
    );
  });
  it("ignores other buckets", () => expectClean(rule, [edit(s3Bucket("x", "x"), (p) => delete p.tags["app-platform/backup"])]));
});

describe("aws-enable-kms-key-rotation", () => {
  const rule = enableKmsKeyRotation;
  it("passes a rotating key", () => expectClean(rule, kmsKey()));
  it("advises a key without rotation", () =>
    expectViolation(
      rule,
      edit(kmsKey(), (p) => delete p.enableKeyRotation),
      /does not rotate its key material/,
      "advisory",
    ));
  it("does not apply to asymmetric keys or other resources", async () => {
    await expectNotApplicable(
      rule,
      edit(kmsKey(), (p) => (p.customerMasterKeySpec = "RSA_2048")),
    );
    await expectNotApplicable(rule, deployment());
  });
});
