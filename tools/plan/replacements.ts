/**
 * Which input changes make a provider replace a resource instead of updating it in place.
 *
 * The provider packages installed here ship no schema metadata (no `schema.json`, no
 * `replaceOnChanges` in the generated SDKs; only scattered "forces a new resource" prose in some
 * AWS doc comments), and no provider plugin may run. So this is a documented table for the
 * resource types this project uses, transcribed from each provider's own source:
 *
 * - Kubernetes (pulumi-kubernetes `provider/pkg/provider/diff.go`, `forceNewProperties`):
 *   `metadata.name` and `metadata.namespace` for every kind; ConfigMap `data`/`binaryData`
 *   (unless the provider sets `enableConfigMapMutable`); Secret `type`; Service `spec.clusterIP`,
 *   `spec.type`; plus fields the API server declares immutable, which the provider turns into a
 *   replacement after its dry run reports "field is immutable": Deployment/StatefulSet/DaemonSet
 *   `spec.selector`, Job `spec.selector` and `spec.template`.
 * - AWS v7 (terraform-provider-aws `ForceNew`): S3 `bucket`, `bucketPrefix`, `objectLockEnabled`;
 *   the split S3 configuration resources' `bucket` and `expectedBucketOwner`; KMS key `keyUsage`,
 *   `customerMasterKeySpec`, `multiRegion`, `customKeyStoreId`, `xksKeyId`; KMS alias `name`,
 *   `namePrefix`; IAM access key `user`, `pgpKey`; IAM user policy `user`, `name`, `namePrefix`;
 *   and the per-resource `region` of every regional resource (provider v6 "enhanced region
 *   support"; IAM is global and has none).
 * - Cloudflare v6 (terraform-provider-cloudflare `RequiresReplace` plan modifiers): DNS record
 *   `zoneId`; R2 bucket `accountId`, `name`, `jurisdiction`; R2 lifecycle and lock `accountId`,
 *   `bucketName`, `jurisdiction` (the lifecycle's `rules` too).
 * - Vercel (terraform-provider-vercel): environment variable `projectId`, `teamId`, `key`;
 *   project domain `projectId`, `teamId`, `domain`; project `teamId`; deployment every input but
 *   `deleteOnDestroy` (`resource_deployment.go`: `RequiresReplace` on each attribute); firewall
 *   config `projectId`, `teamId` (`RequiresReplace` / `RequiresReplaceIfConfigured` in
 *   resource_firewall_config.go).
 * - random (terraform-provider-random): every input of the random resources (`*`).
 * - time (terraform-provider-time): `time_rotating` `triggers` and `rfc3339`.
 *
 * A resource's own `replaceOnChanges` option is honoured on top of this (`*` means any input),
 * and a change of provider instance replaces too, as the engine does.
 */

/** `*` stands for "any input". */
export const ANY_INPUT = "*";

const K8S_METADATA = ["metadata.name", "metadata.namespace"];
const S3_CONFIG = ["bucket", "expectedBucketOwner", "region"];
const RANDOM = [ANY_INPUT];

/** Force-new input paths by exact type token. */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  // Kubernetes kinds with extra immutable fields (every kind also gets K8S_METADATA).
  "kubernetes:core/v1:ConfigMap": ["data", "binaryData"],
  "kubernetes:core/v1:Secret": ["type"],
  "kubernetes:core/v1:Service": ["spec.clusterIP", "spec.type"],
  "kubernetes:core/v1:PersistentVolumeClaim": ["spec"],
  "kubernetes:apps/v1:Deployment": ["spec.selector"],
  "kubernetes:apps/v1:StatefulSet": ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
  "kubernetes:apps/v1:DaemonSet": ["spec.selector"],
  "kubernetes:batch/v1:Job": ["spec.selector", "spec.template"],
  "kubernetes:storage.k8s.io/v1:StorageClass": ["parameters", "provisioner"],
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef"],
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef"],

  // AWS v7
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled", "region"],
  "aws:s3/bucketVersioning:BucketVersioning": S3_CONFIG,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": S3_CONFIG,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket", "region"],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket", "region"],
  "aws:s3/bucketPolicy:BucketPolicy": ["bucket", "region"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": S3_CONFIG,
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": S3_CONFIG,
  "aws:s3/bucketLogging:BucketLogging": S3_CONFIG,
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ["bucket", "region"],
  "aws:kms/key:Key": ["keyUsage", "customerMasterKeySpec", "multiRegion", "customKeyStoreId", "xksKeyId", "region"],
  "aws:kms/alias:Alias": ["name", "namePrefix", "region"],
  "aws:iam/user:User": [],
  "aws:iam/accessKey:AccessKey": ["user", "pgpKey"],
  "aws:iam/userPolicy:UserPolicy": ["user", "name", "namePrefix"],

  // Cloudflare v6
  "cloudflare:index/dnsRecord:DnsRecord": ["zoneId"],
  "cloudflare:index/r2Bucket:R2Bucket": ["accountId", "name", "jurisdiction"],
  "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle": ["accountId", "bucketName", "jurisdiction", "rules"],
  "cloudflare:index/r2BucketLock:R2BucketLock": ["accountId", "bucketName", "jurisdiction"],
  "cloudflare:index/r2CustomDomain:R2CustomDomain": ["accountId", "bucketName", "jurisdiction"],
  "cloudflare:index/r2ManagedDomain:R2ManagedDomain": ["accountId", "bucketName", "jurisdiction"],
  "cloudflare:index/apiToken:ApiToken": [],

  // Vercel
  "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": ["projectId", "teamId", "key"],
  "vercel:index/projectDomain:ProjectDomain": ["projectId", "teamId", "domain"],
  "vercel:index/project:Project": ["teamId"],
  "vercel:index/deployment:Deployment": [
    "projectId",
    "teamId",
    "ref",
    "production",
    "meta",
    "environment",
    "files",
    "pathPrefix",
    "projectSettings",
    "customEnvironmentId",
  ],
  "vercel:index/firewallConfig:FirewallConfig": ["projectId", "teamId"],

  // random, time
  "random:index/randomPassword:RandomPassword": RANDOM,
  "random:index/randomString:RandomString": RANDOM,
  "random:index/randomBytes:RandomBytes": RANDOM,
  "random:index/randomId:RandomId": RANDOM,
  "random:index/randomInteger:RandomInteger": RANDOM,
  "random:index/randomUuid:RandomUuid": RANDOM,
  "time:index/rotating:Rotating": ["triggers", "rfc3339"],
};

/** The force-new input paths of a resource type (Kubernetes kinds always include name and namespace). */
export function forceNewPaths(type: string): readonly string[] {
  const own = FORCE_NEW[type] ?? [];
  if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm") && !type.startsWith("kubernetes:yaml")) {
    return [...K8S_METADATA, ...own];
  }
  return own;
}

/** Whether the table knows the type (so "no replacement" is a statement, not a guess). */
export function knowsType(type: string): boolean {
  return type in FORCE_NEW || type.startsWith("kubernetes:");
}
