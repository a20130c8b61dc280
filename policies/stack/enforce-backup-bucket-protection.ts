import { defineStackRule } from "../lib/rule";
import { BACKUP_BUCKETS_SCHEMA, bucketName, S3 } from "../lib/aws";
import { backupCredentialTargets, isBackupBucketResource } from "../lib/backups";
import { R2, r2Name } from "../lib/cloudflare";
import { readConfig } from "../lib/config";
import { ofTypes } from "../lib/stack";

const DEFAULTS = { backupBuckets: [] as string[] };

/**
 * Backup buckets (S3 and R2) are `protect`ed in prod. A stack rule, so that a
 * bucket counts as a backup bucket when a backup job's credentials write to it (lib/backups.ts),
 * not only by its own tag or name.
 */
export const enforceBackupBucketProtection = defineStackRule("stack", {
  name: "stack-enforce-backup-bucket-protection",
  description: "Backup buckets, S3 and R2, must be declared with `protect: true` so no destroy or refactor can delete them.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [65],
  anchors: ["Pulumi protect resource option", "components/context.ts dataProtection"],
  rationale: "Without `protect`, a refactor that renames or removes a component destroys the bucket and every backup in it.",
  standard: "Pulumi `protect` resource option; components/context.ts dataProtection",
  config: { backupBuckets: BACKUP_BUCKETS_SCHEMA },
  appliesTo: [...S3.Bucket, R2.Bucket],
  validateStack: (args, report) => {
    const { backupBuckets } = readConfig(args, DEFAULTS);
    const targets = backupCredentialTargets(args.resources);
    for (const bucket of ofTypes(args.resources, ...S3.Bucket, R2.Bucket)) {
      if (!isBackupBucketResource(bucket, backupBuckets, targets)) continue;
      if (bucket.opts.protect) continue;
      const isR2 = bucket.type === R2.Bucket;
      const name = isR2 ? r2Name(bucket) : bucketName(bucket);
      report(
        `Backup ${isR2 ? "R2" : "S3"} bucket "${name}" is not protected; \`pulumi destroy\` or a rename would delete every backup. Fix: create it with \`{ protect: true, retainOnDelete: true }\` (components/context.ts \`dataProtection\`).`,
        bucket.urn,
      );
    }
  },
});
