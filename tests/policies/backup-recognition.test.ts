/**
 * The backup rules hold for backups that our components did not make: hand-made
 * buckets and CronJobs that carry none of our conventions (no `app-platform/backup` tag or label,
 * no `-backups` suffix), recognised by a name that says backup or by a backup job's credentials
 * writing to them (policies/lib/backups.ts). Each case fails with the pack as it was, which
 * recognised backups by our tag/label and R2 names ending in `-backups` only.
 */
import { describe, expect, it } from "vitest";
import { enableBackupObjectLock } from "../../policies/aws/enable-backup-object-lock";
import { enableBackupReplication } from "../../policies/aws/enable-backup-replication";
import { configureBucketLifecycle } from "../../policies/aws/configure-bucket-lifecycle";
import { disallowR2PublicAccess } from "../../policies/cloudflare/disallow-r2-public-access";
import { disallowR2BackupCustomDomain } from "../../policies/cloudflare/disallow-r2-backup-custom-domain";
import { enableR2BackupLock } from "../../policies/cloudflare/enable-r2-backup-lock";
import { configureR2Lifecycle } from "../../policies/cloudflare/configure-r2-lifecycle";
import { configureCronjobDeadlines } from "../../policies/kubernetes/configure-cronjob-deadlines";
import { enforceBackupScheduleRpo } from "../../policies/kubernetes/enforce-backup-schedule-rpo";
import { missingBackupFreshnessAlert } from "../../policies/stack/missing-backup-freshness-alert";
import { enforceBackupBucketProtection } from "../../policies/stack/enforce-backup-bucket-protection";
import { isBackupCronJob, nameSaysBackup } from "../../policies/lib/backups";
import { K8S } from "../../policies/lib/kubernetes";
import { urnOf } from "../../tools/engine/pack/types";
import { edit, expectClean, expectNotApplicable, expectViolation, PROD, type Fixture } from "./helpers";

const urn = (f: Fixture) => urnOf(f);

/** A bare S3 bucket, as someone would write it by hand: no tags, no lock, nothing else. */
function handBucket(name: string): Fixture {
  return { type: "aws:s3/bucket:Bucket", name, props: { bucket: name } };
}

/** A bare R2 bucket. */
function handR2(name: string): Fixture {
  return { type: "cloudflare:index/r2Bucket:R2Bucket", name, props: { accountId: "acc", name, location: "enam" } };
}

/** A CronJob made by hand: no labels of ours, a weekly schedule, no deadlines, reading `secret`. */
function handCronJob(name: string, secret: string, labels: Record<string, string> = {}): Fixture {
  return {
    type: K8S.CronJob,
    name,
    props: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name, namespace: "shop", labels },
      spec: {
        schedule: "0 3 * * 0",
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: "OnFailure",
                containers: [{ name: "dump", image: "postgres:16.4", envFrom: [{ secretRef: { name: secret } }] }],
              },
            },
          },
        },
      },
    },
  };
}

function secret(name: string, from: Fixture): Fixture {
  return {
    type: K8S.Secret,
    name,
    props: { metadata: { name, namespace: "shop" }, stringData: { AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "key" } },
    // The key's value comes from the access key or token resource: Pulumi records that.
    propertyDependencies: { stringData: [urn(from)] },
    dependencies: [urn(from)],
  };
}

/**
 * A backup job's S3 credentials written by hand with literal names: CronJob → Secret (by name) →
 * access key (the Secret's value came from it) → user (by name) ← user policy naming the bucket ARN.
 */
function s3Credentials(bucket: string, jobName = "shop-db-backup"): Fixture[] {
  const user: Fixture = { type: "aws:iam/user:User", name: "dumper", props: { name: "dumper" } };
  const key: Fixture = { type: "aws:iam/accessKey:AccessKey", name: "dumper-key", props: { user: "dumper" } };
  const policy: Fixture = {
    type: "aws:iam/userPolicy:UserPolicy",
    name: "dumper-policy",
    props: {
      user: "dumper",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${bucket}/db/*` }] }),
    },
  };
  return [handCronJob(jobName, "dump-creds"), secret("dump-creds", key), key, user, policy];
}

/** The same credentials joined only by Pulumi dependencies (names computed, e.g. in preview). */
function s3CredentialsByDependency(bucket: Fixture): Fixture[] {
  const user: Fixture = { type: "aws:iam/user:User", name: "dumper", props: {} };
  const key: Fixture = { type: "aws:iam/accessKey:AccessKey", name: "dumper-key", props: {}, propertyDependencies: { user: [urn(user)] } };
  const policy: Fixture = {
    type: "aws:iam/userPolicy:UserPolicy",
    name: "dumper-policy",
    props: {},
    propertyDependencies: { user: [urn(user)], policy: [urn(bucket)] },
  };
  const sec = secret("computed-secret", key);
  const job = edit(handCronJob("nightly-db-backup", "unknown"), () => undefined);
  return [{ ...job, propertyDependencies: { spec: [urn(sec)] }, dependencies: [urn(sec)] }, sec, key, user, policy];
}

/** A backup job's R2 token written by hand, naming the bucket in its resource key. */
function r2Credentials(bucket: string, jobName = "media-backup"): Fixture[] {
  const token: Fixture = {
    type: "cloudflare:index/apiToken:ApiToken",
    name: "media-writer",
    props: {
      name: "media writer",
      policies: [
        { effect: "allow", permissionGroups: [{ id: "g" }], resources: JSON.stringify({ [`com.cloudflare.edge.r2.bucket.acc_default_${bucket}`]: "*" }) },
      ],
    },
  };
  return [handCronJob(jobName, "media-creds"), secret("media-creds", token), token];
}

function r2Domain(kind: "R2ManagedDomain" | "R2CustomDomain", bucket: string): Fixture {
  const type = `cloudflare:index/${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`;
  return {
    type,
    name: `${bucket}-${kind}`,
    props: { accountId: "acc", bucketName: bucket, enabled: true, ...(kind === "R2CustomDomain" ? { domain: "files.shop.example.com", zoneId: "z" } : {}) },
  };
}

describe("backup signals", () => {
  it("a name says backup in any case and position", () => {
    for (const n of ["shop-backup", "orders-backups-prod", "BackupStore", "db_BACKUP"]) expect(nameSaysBackup(n), n).toBe(true);
    for (const n of ["ara-prod-reports", "backpack", undefined]) expect(nameSaysBackup(n), String(n)).toBe(false);
  });
  it("a CronJob's marker decides before its name", () => {
    expect(isBackupCronJob({ name: "shop-backup" }, "x")).toBe(true);
    expect(isBackupCronJob({ name: "mailer", labels: { "app-platform/backup": "true" } }, "x")).toBe(true);
    expect(isBackupCronJob({ name: "codebook-backup-verify", labels: { "app-platform/backup": "false" } }, "x")).toBe(false);
    expect(isBackupCronJob({ name: "mailer" }, "mailer")).toBe(false);
  });
});

describe("S3 buckets made by hand", () => {
  it("a bucket named like a backup must have object lock and replication", async () => {
    await expectViolation(enableBackupObjectLock, [handBucket("shop-backup")], /Backup S3 bucket "shop-backup" is created without object lock/);
    await expectViolation(enableBackupReplication, [handBucket("orders-backups-prod")], /"orders-backups-prod"/, "advisory");
  });
  it("a bucket a backup job's credentials write to is a backup bucket, joined by literal names", async () => {
    const set = [handBucket("orders-archive"), ...s3Credentials("orders-archive")];
    await expectViolation(enableBackupObjectLock, set, /Backup S3 bucket "orders-archive" is created without object lock/);
    await expectViolation(enforceBackupBucketProtection, set, /Backup S3 bucket "orders-archive" is not protected/, "mandatory", PROD);
  });
  it("... and joined by Pulumi dependencies only", async () => {
    const bucket = handBucket("orders-archive");
    await expectViolation(enableBackupObjectLock, [bucket, ...s3CredentialsByDependency(bucket)], /"orders-archive" is created without object lock/);
  });
  it("credentials of a CronJob that is not a backup, or naming another bucket, do not make one", async () => {
    await expectClean(enableBackupObjectLock, [handBucket("orders-archive"), ...s3Credentials("orders-archive", "report-mailer")]);
    await expectClean(enableBackupObjectLock, [handBucket("orders-archive"), ...s3Credentials("orders-archive-2")]);
    await expectClean(enableBackupObjectLock, [handBucket("orders-archive")]);
  });
  it("protection applies to a hand-made backup bucket on prod", async () => {
    await expectViolation(enforceBackupBucketProtection, [handBucket("shop-backup")], /Backup S3 bucket "shop-backup" is not protected/, "mandatory", PROD);
    await expectClean(enforceBackupBucketProtection, [{ ...handBucket("shop-backup"), protect: true }], PROD);
  });
  it("lifecycle rules apply to it like to every bucket", async () => {
    await expectViolation(configureBucketLifecycle, [handBucket("shop-backup")], /"shop-backup"/);
  });
});

describe("R2 buckets made by hand", () => {
  it("a bucket named `…-backups-prod` is a backup bucket (the old `-backups` suffix missed it)", async () => {
    const b = handR2("shop-backups-prod");
    await expectViolation(
      disallowR2PublicAccess,
      [b, r2Domain("R2ManagedDomain", "shop-backups-prod")],
      /R2 backup bucket "shop-backups-prod" has its r2.dev URL enabled/,
    );
    await expectViolation(disallowR2BackupCustomDomain, [b, r2Domain("R2CustomDomain", "shop-backups-prod")], /"shop-backups-prod"/);
    await expectViolation(enableR2BackupLock, [b], /R2 backup bucket "shop-backups-prod" has no bucket lock/, "advisory");
    await expectViolation(enforceBackupBucketProtection, [b], /Backup R2 bucket "shop-backups-prod" is not protected/, "mandatory", PROD);
  });
  it("a bucket a backup job's token writes to is a backup bucket", async () => {
    const set = [handR2("media-archive"), ...r2Credentials("media-archive")];
    await expectViolation(
      disallowR2PublicAccess,
      [...set, r2Domain("R2ManagedDomain", "media-archive")],
      /R2 backup bucket "media-archive" has its r2.dev URL enabled/,
    );
    await expectViolation(enableR2BackupLock, set, /"media-archive" has no bucket lock/, "advisory");
    await expectViolation(enforceBackupBucketProtection, set, /Backup R2 bucket "media-archive" is not protected/, "mandatory", PROD);
  });
  it("a domain on a bucket outside the stack is judged by the bucket's name", async () => {
    await expectViolation(disallowR2PublicAccess, [r2Domain("R2ManagedDomain", "shop-backup")], /"shop-backup" has its r2.dev URL enabled/);
    await expectClean(disallowR2PublicAccess, [r2Domain("R2ManagedDomain", "shop-media")]);
  });
  it("other buckets stay out of the backup rules", async () => {
    await expectClean(disallowR2PublicAccess, [handR2("media-archive"), r2Domain("R2ManagedDomain", "media-archive")]);
    await expectClean(enableR2BackupLock, [handR2("media-archive"), ...r2Credentials("media-archive", "media-sync")]);
  });
  it("lifecycle rules apply to it like to every bucket", async () => {
    const lifecycle: Fixture = {
      type: "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
      name: "shop-backup-lifecycle",
      props: {
        accountId: "acc",
        bucketName: "shop-backup",
        rules: [{ id: "expire", enabled: true, conditions: { prefix: "" }, deleteObjectsTransition: { condition: { type: "Age", maxAge: 86_400 } } }],
      },
    };
    await expectViolation(
      configureR2Lifecycle,
      [handR2("shop-backup"), lifecycle],
      /R2 bucket "shop-backup": lifecycle rule "expire" deletes objects after 1 days/,
    );
  });
});

describe("CronJobs made by hand", () => {
  const job = handCronJob("shop-backup", "dump-creds");
  it("a CronJob named like a backup gets the mandatory deadline, concurrency and RPO checks", async () => {
    await expectViolation(configureCronjobDeadlines, job, /Backup CronJob "shop-backup" has no `spec.startingDeadlineSeconds`/);
    await expectViolation(configureCronjobDeadlines, job, /Backup CronJob "shop-backup" allows concurrent runs/);
    await expectViolation(enforceBackupScheduleRpo, job, /Backup CronJob "shop-backup" runs on "0 3 \* \* 0", up to 168 h apart/);
  });
  it("it needs a freshness alert", async () => {
    await expectViolation(missingBackupFreshnessAlert, [job], /Backup CronJob "shop-backup" has no freshness alert/);
  });
  it('a marker set to "false" keeps a CronJob whose name says backup out (e.g. a restore check)', async () => {
    const verify = handCronJob("codebook-backup-verify", "x", { "app-platform/backup": "false" });
    await expectNotApplicable(enforceBackupScheduleRpo, verify);
    await expectClean(missingBackupFreshnessAlert, [verify]);
  });
});
