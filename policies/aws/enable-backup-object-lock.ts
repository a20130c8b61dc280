import { defineStackRule } from "../lib/rule";
import { BACKUP_BUCKETS_SCHEMA, bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import { backupCredentialTargets, isBackupBucketResource } from "../lib/backups";
import { readConfig } from "../lib/config";
import { known, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = { backupBuckets: [] as string[] };

/** Object lock with default retention on backup buckets. */
export const enableBackupObjectLock = defineStackRule("aws", {
  name: "aws-enable-backup-object-lock",
  description: "Backup S3 buckets must enable object lock with a default retention.",
  enforcementLevel: "mandatory",
  scope: "backups",
  numbers: [41, 76],
  anchors: ["CKV_AWS_143", "AWS FSBP S3.15"],
  rationale: "Object lock keeps backups from being deleted or overwritten before their retention, even by someone holding valid credentials.",
  standard: "AWS Foundational Security Best Practices S3.15; Checkov CKV_AWS_143",
  config: { backupBuckets: BACKUP_BUCKETS_SCHEMA },
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    const { backupBuckets } = readConfig(args, DEFAULTS);
    const targets = backupCredentialTargets(args.resources);
    for (const bucket of bucketsOf(args.resources).filter((b) => isBackupBucketResource(b, backupBuckets, targets))) {
      const enabled = known(() => bucket.props.objectLockEnabled === true || obj(bucket.props.objectLockConfiguration).objectLockEnabled === "Enabled");
      if (enabled === false) {
        report(
          `Backup ${describeBucket(bucket)} is created without object lock, which cannot be turned on later without support. Fix: set \`objectLockEnabled: true\` on the bucket.`,
          bucket.urn,
        );
      }
      const locks = companionsOf(args.resources, bucket, S3.ObjectLock);
      const withRetention = locks.some((l) => {
        const r = known(() => ({ ...obj(obj(obj(l.props.rule).defaultRetention)) }));
        return r === UNKNOWN || Number(r.days) > 0 || Number(r.years) > 0;
      });
      if (!withRetention) {
        report(
          `Backup ${describeBucket(bucket)} has no object lock default retention, so a compromised key can delete backups. Fix: add \`aws.s3.BucketObjectLockConfiguration\` with \`rule.defaultRetention\` (mode GOVERNANCE or COMPLIANCE, days = the retention).`,
          bucket.urn,
        );
      }
    }
  },
});
