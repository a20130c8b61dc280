import { defineStackRule } from "../lib/rule";
import { BACKUP_BUCKETS_SCHEMA, bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import { backupCredentialTargets, isBackupBucketResource } from "../lib/backups";
import { readConfig } from "../lib/config";
import { known, list, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = { backupBuckets: [] as string[] };

/** Replication for backup buckets. */
export const enableBackupReplication = defineStackRule("aws", {
  name: "aws-enable-backup-replication",
  description: "Backup S3 buckets should replicate to a second bucket.",
  enforcementLevel: "advisory",
  scope: "backups",
  numbers: [45, 76],
  anchors: ["CKV_AWS_144", "AWS FSBP S3.7"],
  rationale: "Backups in one bucket are one regional outage or account compromise away from being lost together.",
  standard: "AWS Foundational Security Best Practices S3.7; Checkov CKV_AWS_144",
  config: { backupBuckets: BACKUP_BUCKETS_SCHEMA },
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    const { backupBuckets } = readConfig(args, DEFAULTS);
    const targets = backupCredentialTargets(args.resources);
    for (const bucket of bucketsOf(args.resources).filter((b) => isBackupBucketResource(b, backupBuckets, targets))) {
      const replicating = companionsOf(args.resources, bucket, S3.Replication).some((r) => {
        const statuses = known(() => list(r.props.rules).map((x) => obj(x).status));
        return statuses === UNKNOWN || statuses.includes("Enabled");
      });
      if (!replicating) {
        report(
          `Backup ${describeBucket(bucket)} is not replicated; a regional outage or account compromise takes the only copy. Fix: add \`aws.s3.BucketReplicationConfig\` with an enabled rule to a bucket in another region or account.`,
          bucket.urn,
        );
      }
    }
  },
});
