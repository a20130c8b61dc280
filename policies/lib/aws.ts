/**
 * aws v7 S3: a bucket's settings live in companion resources (`BucketVersioning`,
 * `BucketPublicAccessBlock`, ...) that point at the bucket through their `bucket` input. Stack
 * rules join each companion to its bucket: first through `propertyDependencies.bucket` (works in
 * preview, when the bucket's name/ID is still unknown), then by literal name or ID.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { stringList } from "./config";
import { declaredRetentionDays, RETENTION_TAG } from "./retention";
import { namesTarget, ofTypes } from "./stack";
import { known, obj, UNKNOWN } from "./values";

/** Type tokens, with the deprecated `V2` aliases aws v7 still ships. */
export const S3 = {
  Bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  Versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
  Encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  PublicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  OwnershipControls: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
  Acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
  Policy: ["aws:s3/bucketPolicy:BucketPolicy"],
  Lifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
  ObjectLock: ["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"],
  Logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
  Replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
} as const;

/** Tag that marks a backup bucket (program convention). */
export const BACKUP_TAG = "app-platform/backup";

/** The bucket's name when known (`bucket` input or output), else its Pulumi name. */
export function bucketName(bucket: PolicyResource): string {
  const name = known(() => bucket.props.bucket);
  return typeof name === "string" && name !== "" ? name : bucket.name;
}

/** `S3 bucket "codebook-backups"`, for messages. */
export function describeBucket(bucket: PolicyResource): string {
  return `S3 bucket "${bucketName(bucket)}"`;
}

function tagsOf(bucket: PolicyResource): Record<string, unknown> {
  const tags = known(() => ({ ...obj(bucket.props.tags) }));
  return tags === UNKNOWN ? {} : tags;
}

/** Config shared by the rules that treat backup buckets specially. */
export const BACKUP_BUCKETS_SCHEMA: PolicyConfigJSONSchema = stringList(
  `Bucket names (or Pulumi names) that hold backups, besides those tagged \`${BACKUP_TAG} = "true"\`, named \`*backup*\` or written by a backup job (lib/backups.ts).`,
  [],
);

/** The bucket's declared retention in days. */
export function bucketRetentionDays(bucket: PolicyResource, config: { minRetentionDays: number; retentionDays: Record<string, number> }): number {
  return declaredRetentionDays(bucketName(bucket), tagsOf(bucket)[RETENTION_TAG], config);
}

/**
 * The physical identities of an S3 bucket that a companion's `bucket` may name: its name, its ID
 * (the same as its name for S3) and its ARN, when known. Never its Pulumi resource name.
 */
export function bucketIdentities(bucket: PolicyResource): unknown[] {
  const read = (key: string) => {
    const v = known(() => bucket.props[key]);
    return v === UNKNOWN ? undefined : v;
  };
  const name = read("bucket");
  return [name, read("id"), read("arn"), typeof name === "string" && name !== "" ? `arn:aws:s3:::${name}` : undefined];
}

/** Whether companion `c` configures `bucket`: its `bucket` names that bucket's physical name or ID (lib/stack.ts `namesTarget`). */
export function configures(c: PolicyResource, bucket: PolicyResource, property = "bucket"): boolean {
  return namesTarget(c, property, bucket, bucketIdentities);
}

/** The companions of `types` that configure `bucket`. */
export function companionsOf(resources: readonly PolicyResource[], bucket: PolicyResource, types: readonly string[]): PolicyResource[] {
  return ofTypes(resources, ...types).filter((c) => configures(c, bucket));
}

/** Every S3 bucket of the stack. */
export function bucketsOf(resources: readonly PolicyResource[]): PolicyResource[] {
  return ofTypes(resources, ...S3.Bucket);
}
