/**
 * Cloudflare R2: companions (`R2BucketLifecycle`, `R2BucketLock`, `R2ManagedDomain`,
 * `R2CustomDomain`, `R2BucketCors`) name their bucket by `bucketName`. Which buckets hold backups
 * is decided in lib/backups.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { stringList } from "./config";
import { namesTarget, ofTypes } from "./stack";
import { known, UNKNOWN } from "./values";

export const R2 = {
  Bucket: "cloudflare:index/r2Bucket:R2Bucket",
  Lifecycle: "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
  Lock: "cloudflare:index/r2BucketLock:R2BucketLock",
  Cors: "cloudflare:index/r2BucketCors:R2BucketCors",
  ManagedDomain: "cloudflare:index/r2ManagedDomain:R2ManagedDomain",
  CustomDomain: "cloudflare:index/r2CustomDomain:R2CustomDomain",
} as const;

export const R2_BACKUP_BUCKETS_SCHEMA: PolicyConfigJSONSchema = stringList(
  "R2 bucket names that hold backups, besides those named `*backup*` or written by a backup job (lib/backups.ts).",
  [],
);

/** The R2 bucket's name when known, else its Pulumi name. */
export function r2Name(bucket: PolicyResource): string {
  const name = known(() => bucket.props.name);
  return typeof name === "string" && name !== "" ? name : bucket.name;
}

/** The physical identity of an R2 bucket a companion's `bucketName` may name: its name, when known. */
export function r2Identities(bucket: PolicyResource): unknown[] {
  const name = known(() => bucket.props.name);
  return [name === UNKNOWN ? undefined : name];
}

/** The R2Bucket of the stack a companion configures (by physical name, lib/stack.ts `namesTarget`), if any. */
export function targetBucket(companion: PolicyResource, resources: readonly PolicyResource[]): PolicyResource | undefined {
  return ofTypes(resources, R2.Bucket).find((b) => namesTarget(companion, "bucketName", b, r2Identities));
}

/**
 * The name of the bucket a companion configures: the R2Bucket it names, or its literal
 * `bucketName`; undefined when neither is known (preview of an unknown bucket).
 */
export function targetBucketName(companion: PolicyResource, resources: readonly PolicyResource[]): string | undefined {
  const from = targetBucket(companion, resources);
  if (from) return r2Name(from);
  const literal = known(() => companion.props.bucketName);
  return typeof literal === "string" ? literal : undefined;
}
