import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { BACKUP_BUCKETS_SCHEMA, bucketsOf, configures, describeBucket, S3 } from "../lib/aws";
import { R2, R2_BACKUP_BUCKETS_SCHEMA } from "../lib/cloudflare";
import { backupCredentialTargets, isBackupBucketName, isBackupBucketResource, r2BackupTargetOf } from "../lib/backups";
import { readConfig } from "../lib/config";
import { known, list, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = {
  backupBuckets: [] as string[],
  r2BackupBuckets: [] as string[],
};

function maybe<T>(read: () => T): T | undefined {
  const v = known(read);
  return v === UNKNOWN ? undefined : v;
}

/** A lifecycle rule that expires objects on a fixed date. */
interface DatedExpiry {
  readonly id: string;
  readonly date: string;
}

/** S3 rules (`BucketLifecycleConfiguration.rules` or the Bucket's inline `lifecycleRules`) that expire current objects by `date`. */
function s3DatedExpiries(rules: unknown, inline: boolean): DatedExpiry[] {
  return list(rules)
    .map((r) => obj(r))
    .filter((r) => (inline ? r.enabled !== false : r.status !== "Disabled"))
    .filter((r) => typeof obj(r.expiration).date === "string" && obj(r.expiration).date !== "")
    .map((r) => ({ id: String(r.id ?? r.prefix ?? "?"), date: String(obj(r.expiration).date) }));
}

/** R2 rules that delete objects on a fixed date (`deleteObjectsTransition.condition.type: "Date"`). */
function r2DatedExpiries(rules: unknown): DatedExpiry[] {
  return list(rules)
    .map((r) => obj(r))
    .filter((r) => r.enabled !== false && obj(obj(r.deleteObjectsTransition).condition).type === "Date")
    .map((r) => ({ id: String(r.id ?? "?"), date: String(obj(obj(r.deleteObjectsTransition).condition).date ?? "?") }));
}

/** Lifecycle expirations by fixed date are refused on backup buckets, S3 and R2 (rule 72). */
export const disallowBackupExpiryDates = defineStackRule("stack", {
  name: "stack-disallow-backup-expiry-dates",
  description: "Lifecycle rules of backup buckets, S3 and R2, must expire objects by age, never on a fixed date.",
  enforcementLevel: "mandatory",
  scope: "backups",
  numbers: [72],
  anchors: ["app-platform backup retention (seed 001 §4)", "S3 lifecycle Expiration Date", "R2 lifecycle deleteObjectsTransition Date"],
  rationale:
    "An expiry date deletes every backup the bucket holds on that day, however recent, so from then on there is nothing to restore from and every later backup is deleted as soon as it is written.",
  standard:
    "app-platform backup retention (seed 001 §4: daily backups kept 30 days); AWS S3 lifecycle `Expiration.Date`; Cloudflare R2 lifecycle `Date` condition",
  config: { backupBuckets: BACKUP_BUCKETS_SCHEMA, r2BackupBuckets: R2_BACKUP_BUCKETS_SCHEMA },
  appliesTo: [...S3.Lifecycle, ...S3.Bucket, R2.Lifecycle],
  validateStack: (args, report) => {
    const { backupBuckets, r2BackupBuckets } = readConfig(args, DEFAULTS);
    const targets = backupCredentialTargets(args.resources);
    const fix =
      'Fix: expire by age (`expiration.days` on S3, `condition: { type: "Age", maxAge }` on R2) no shorter than the retention, and let object lock keep each backup.';
    const flag = (where: string, expiries: DatedExpiry[], urn: string) => {
      for (const e of expiries) {
        report(`${where}: lifecycle rule "${e.id}" expires every backup on ${e.date}, whatever its age. ${fix}`, urn);
      }
    };

    const buckets = bucketsOf(args.resources);
    for (const bucket of buckets) {
      if (!isBackupBucketResource(bucket, backupBuckets, targets)) continue;
      flag(
        `${describeBucket(bucket)} (inline \`lifecycleRules\`)`,
        s3DatedExpiries(
          maybe(() => list(bucket.props.lifecycleRules).slice()),
          true,
        ),
        bucket.urn,
      );
    }
    for (const lifecycle of args.resources.filter((r) => (S3.Lifecycle as readonly string[]).includes(r.type))) {
      const bucket: PolicyResource | undefined = buckets.find((b) => configures(lifecycle, b));
      const literal = maybe(() => lifecycle.props.bucket);
      const backup = bucket
        ? isBackupBucketResource(bucket, backupBuckets, targets)
        : typeof literal === "string" && isBackupBucketName(literal, backupBuckets);
      if (!backup) continue;
      const where = bucket ? describeBucket(bucket) : `S3 bucket "${String(literal)}"`;
      flag(
        where,
        s3DatedExpiries(
          maybe(() => list(lifecycle.props.rules).slice()),
          false,
        ),
        lifecycle.urn,
      );
    }
    for (const lifecycle of args.resources.filter((r) => r.type === R2.Lifecycle)) {
      const name = r2BackupTargetOf(lifecycle, args.resources, r2BackupBuckets, targets);
      if (name === undefined) continue;
      flag(`R2 bucket "${name}"`, r2DatedExpiries(maybe(() => list(lifecycle.props.rules).slice())), lifecycle.urn);
    }
  },
});
