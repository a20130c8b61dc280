import { defineStackRule } from "../lib/rule";
import { R2, r2Name, R2_BACKUP_BUCKETS_SCHEMA, targetBucket } from "../lib/cloudflare";
import { backupCredentialTargets, isBackupBucketResource } from "../lib/backups";
import { readConfig } from "../lib/config";
import { ofTypes } from "../lib/stack";
import { known, list, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = { backupBuckets: [] as string[] };

/** R2 bucket lock on backup buckets. */
export const enableR2BackupLock = defineStackRule("cloudflare", {
  name: "cloudflare-enable-r2-backup-lock",
  description: "R2 backup buckets should have an enabled bucket lock rule.",
  enforcementLevel: "advisory",
  scope: "backups",
  numbers: [50, 76],
  anchors: ["Cloudflare R2 bucket locks"],
  rationale: "A bucket lock keeps backups from being deleted before their retention, even by someone holding a valid token.",
  standard: "Cloudflare R2 documentation: bucket locks",
  config: { backupBuckets: R2_BACKUP_BUCKETS_SCHEMA },
  appliesTo: [R2.Bucket],
  validateStack: (args, report) => {
    const { backupBuckets } = readConfig(args, DEFAULTS);
    const locks = ofTypes(args.resources, R2.Lock);
    const targets = backupCredentialTargets(args.resources);
    for (const bucket of ofTypes(args.resources, R2.Bucket)) {
      if (!isBackupBucketResource(bucket, backupBuckets, targets)) continue;
      const name = r2Name(bucket);
      const locked = locks.some((lock) => {
        if (targetBucket(lock, args.resources) !== bucket) return false;
        const rules = known(() => list(lock.props.rules).map((r) => obj(r).enabled));
        return rules === UNKNOWN || rules.includes(true);
      });
      if (!locked) {
        report(
          `R2 backup bucket "${name}" has no bucket lock, so a leaked token can delete its backups. Fix: add \`cloudflare.R2BucketLock\` with an enabled rule (condition Age, \`maxAgeSeconds\` = the retention).`,
          bucket.urn,
        );
      }
    }
  },
});
