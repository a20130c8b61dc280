/**
 * Rule 76: a settings resource belongs to the bucket whose physical name or ID it names, never to
 * one that shares its Pulumi resource name (lib/stack.ts `namesTarget`, the one join helper).
 */
import { describe, expect, it } from "vitest";
import { enableBucketVersioning } from "../../policies/aws/enable-bucket-versioning";
import { missingPublicAccessBlock } from "../../policies/aws/missing-public-access-block";
import { enableBucketAccessLogging } from "../../policies/aws/enable-bucket-access-logging";
import { enableBackupObjectLock } from "../../policies/aws/enable-backup-object-lock";
import { enableR2BackupLock } from "../../policies/cloudflare/enable-r2-backup-lock";
import { UNKNOWN_STRING, urnOf } from "../../tools/engine/pack/types";
import { r2BackupSet, r2Bucket, s3BackupSet, s3Bucket } from "./fixtures";
import { edit, expectClean, expectViolation, type Fixture } from "./helpers";

const isType = (suffix: string) => (f: Fixture) => f.type.endsWith(`:${suffix}`);

/**
 * Our bucket (Pulumi name "codebook-backups", physical "codebook-backups-prod") with its companion
 * of type `suffix` pointed at ANOTHER bucket whose physical name happens to be "codebook-backups":
 * a literal name, no dependency on ours.
 */
function companionOnNamesake(suffix: string, property = "bucket"): Fixture[] {
  return s3BackupSet().map((f) =>
    isType(suffix)(f) ? { ...edit(f, (p) => (p[property] = "codebook-backups")), dependencies: undefined, propertyDependencies: undefined } : f,
  );
}

describe("joins by physical identity (rule 76)", () => {
  it("a BucketVersioning naming another bucket that shares our Pulumi name does not count for ours", async () => {
    const v = await expectViolation(
      enableBucketVersioning,
      companionOnNamesake("BucketVersioning"),
      /S3 bucket "codebook-backups-prod" has no BucketVersioning/,
    );
    expect(v.urn).toBe(urnOf(s3Bucket()));
  });

  it("variant: a BucketPublicAccessBlock and an object lock (other kinds) naming the namesake do not count either", async () => {
    await expectViolation(missingPublicAccessBlock, companionOnNamesake("BucketPublicAccessBlock"), /has no BucketPublicAccessBlock/);
    await expectViolation(enableBackupObjectLock, companionOnNamesake("BucketObjectLockConfiguration"), /has no object lock default retention/);
  });

  it("a known value wins over the dependency: a companion computed from our bucket that names another bucket is not ours", async () => {
    const set = s3BackupSet().map((f) => (isType("BucketVersioning")(f) ? edit(f, (p) => (p.bucket = "someone-elses-bucket")) : f));
    await expectViolation(enableBucketVersioning, set, /has no BucketVersioning/);
  });

  it("variant through another field: a log target naming the namesake does not exempt our auto-named bucket from logging", async () => {
    // Our bucket is auto-named (no physical name known) and has no logging; another bucket's
    // BucketLogging sends logs to a bucket literally named like our Pulumi name.
    const auto = edit(s3Bucket(), (p) => delete p.bucket);
    const mine = s3BackupSet(auto).filter((f) => !isType("BucketLogging")(f));
    const other = s3Bucket("ara-data", "ara-data");
    const logging: Fixture = {
      type: "aws:s3/bucketLogging:BucketLogging",
      name: "ara-data-logging",
      props: { bucket: "ara-data", targetBucket: "codebook-backups", targetPrefix: "s3/" },
      propertyDependencies: { bucket: [urnOf(other)] },
    };
    const found = await expectViolation(
      enableBucketAccessLogging,
      [...mine, ...s3BackupSet(other).filter((f) => !isType("BucketLogging")(f)), logging],
      /"codebook-backups" has no access logging/,
      "advisory",
    );
    expect(found.urn).toBe(urnOf(auto));
  });

  it("variant on R2: a lock naming a bucket called like our R2Bucket's Pulumi name does not lock ours (name computed in preview)", async () => {
    const bucket = edit(r2Bucket("ara-backups"), (p) => (p.name = UNKNOWN_STRING));
    const set = r2BackupSet(bucket).map((f) =>
      isType("R2BucketLock")(f) ? { ...edit(f, (p) => (p.bucketName = "ara-backups")), dependencies: undefined, propertyDependencies: undefined } : f,
    );
    await expectViolation(enableR2BackupLock, set, /ara-backups/, "advisory");
  });

  it("the correct counterparts stay clean: joined by physical name, by dependency in preview, and by ARN", async () => {
    await expectClean(enableBucketVersioning, s3BackupSet());
    await expectClean(
      enableBucketVersioning,
      s3BackupSet().map((f) => ({ ...f, propertyDependencies: undefined, dependencies: undefined })),
    );
    await expectClean(
      enableBucketVersioning,
      s3BackupSet().map((f) => (isType("BucketVersioning")(f) ? edit(f, (p) => (p.bucket = "arn:aws:s3:::codebook-backups-prod")) : f)),
    );
    await expectClean(enableR2BackupLock, r2BackupSet());
  });
});
