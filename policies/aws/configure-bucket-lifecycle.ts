import { defineStackRule } from "../lib/rule";
import { bucketRetentionDays, bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import type { PolicyResource } from "@pulumi/policy";
import { RETENTION_DEFAULTS, RETENTION_SCHEMA } from "../lib/retention";
import { integer, readConfig } from "../lib/config";
import { known, list, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = { ...RETENTION_DEFAULTS, maxAbortMultipartDays: 7 };

/**
 * Lifecycle rules enabled; expiry ≥ declared retention; abort multipart ≤ 7 days.
 *
 * Noncurrent expiry is counted from the day a version *became* noncurrent, so it does not shorten
 * a backup's life on its own: after the current version expires (≥ the retention) the old
 * version lives `noncurrentDays` more. It shortens it only when a version is overwritten or
 * deleted early; the object lock then keeps it until `lockDays` after it was written. So a
 * version lives at least max(noncurrentDays, lockDays), and that must reach the retention.
 * Demanding noncurrentDays ≥ retention on its own (as this rule did) made every backup of a
 * locked bucket outlive its stated retention by that much again (Voyager's 7 days
 * became 37).
 */
export const configureBucketLifecycle = defineStackRule("aws", {
  name: "aws-configure-bucket-lifecycle",
  description:
    "Every S3 bucket must have an enabled lifecycle that keeps current objects, and noncurrent ones together with the object lock, at least the declared retention and aborts incomplete multipart uploads within 7 days.",
  enforcementLevel: "mandatory",
  numbers: [42, 76],
  anchors: ["CKV2_AWS_61", "CKV_AWS_300", "AWS FSBP S3.13"],
  rationale: "Expiring data before its declared retention breaks the restore promise, and abandoned multipart uploads are billed indefinitely.",
  standard: "AWS Foundational Security Best Practices S3.13; Checkov CKV2_AWS_61, CKV_AWS_300",
  config: {
    ...RETENTION_SCHEMA,
    maxAbortMultipartDays: integer("Longest wait before incomplete multipart uploads are aborted.", DEFAULTS.maxAbortMultipartDays, 1),
  },
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    const config = readConfig(args, DEFAULTS);
    for (const bucket of bucketsOf(args.resources)) {
      const configs = companionsOf(args.resources, bucket, S3.Lifecycle);
      if (configs.length === 0) {
        report(
          `${describeBucket(bucket)} has no BucketLifecycleConfiguration. Fix: add one with an enabled rule that expires objects after the declared retention and aborts incomplete multipart uploads after ${config.maxAbortMultipartDays} days.`,
          bucket.urn,
        );
        continue;
      }
      const rules = known(() =>
        configs.flatMap((c) =>
          list(c.props.rules).map((r) => {
            const rule = obj(r);
            return {
              id: String(rule.id ?? "?"),
              status: rule.status,
              expirationDays: obj(rule.expiration).days,
              noncurrentDays: obj(rule.noncurrentVersionExpiration).noncurrentDays,
              abortDays: obj(rule.abortIncompleteMultipartUpload).daysAfterInitiation,
            };
          }),
        ),
      );
      if (rules === UNKNOWN) continue; // computed during preview; checked again after the update
      const retention = bucketRetentionDays(bucket, config);
      const lockDays = objectLockDays(args.resources, bucket);
      for (const r of rules) {
        if (r.status !== "Enabled") {
          report(
            `${describeBucket(bucket)}: lifecycle rule "${r.id}" is ${r.status ?? "without status"}. Fix: set \`status: "Enabled"\` or delete the rule.`,
            bucket.urn,
          );
          continue;
        }
        if (typeof r.expirationDays === "number" && r.expirationDays < retention) {
          report(
            `${describeBucket(bucket)}: lifecycle rule "${r.id}" expires objects after ${r.expirationDays} days, before the declared retention of ${retention} days. Fix: set \`expiration.days\` to ${retention} or more (or lower the bucket's \`retention-days\` tag if the retention really changed).`,
            bucket.urn,
          );
        }
        if (typeof r.noncurrentDays === "number" && Math.max(r.noncurrentDays, lockDays) < retention) {
          report(
            `${describeBucket(bucket)}: lifecycle rule "${r.id}" deletes noncurrent versions after ${r.noncurrentDays} days and the object lock keeps versions ${lockDays} days, so an overwritten or deleted version can go before the declared retention of ${retention} days. Fix: lock objects for ${retention} days (object lock default retention), or set \`noncurrentVersionExpiration.noncurrentDays\` to ${retention} or more.`,
            bucket.urn,
          );
        }
      }
      const aborts = rules.filter((r) => r.status === "Enabled" && typeof r.abortDays === "number" && r.abortDays <= config.maxAbortMultipartDays);
      if (aborts.length === 0) {
        report(
          `${describeBucket(bucket)} never aborts incomplete multipart uploads within ${config.maxAbortMultipartDays} days; their parts are billed forever. Fix: add \`abortIncompleteMultipartUpload: { daysAfterInitiation: ${config.maxAbortMultipartDays} }\` to an enabled rule.`,
          bucket.urn,
        );
      }
    }
  },
});

/** Days every new version of `bucket` is locked (its object-lock default retention), 0 when unknown or none. */
function objectLockDays(resources: readonly PolicyResource[], bucket: PolicyResource): number {
  const days = companionsOf(resources, bucket, S3.ObjectLock).map((c) => {
    const retention = known(() => obj(obj(c.props.rule).defaultRetention));
    if (retention === UNKNOWN || typeof retention !== "object" || retention === null) return 0;
    const r = retention as Record<string, unknown>;
    return typeof r.days === "number" ? r.days : typeof r.years === "number" ? r.years * 365 : 0;
  });
  return Math.max(0, ...days);
}
